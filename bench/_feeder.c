/*
 * Benchmark-only feeder: sends the broadcast lab's payload
 * " BROADCAST ini angka N " (N = 1, 2, 3, ...) at a fixed rate, or flat out,
 * for a fixed time, so receivers can count their loss from the numbers.
 * Compiled by bench/udp_bench.ts with cc at bench time; never shipped.
 *
 *   feeder DEST PORT RATE SECONDS [BIND [IPERF_PORT]]   (RATE 0 = flat out)
 *
 * Prints one JSON line: {"sent":N,"seconds":S}. Paces in small batches
 * (sendmmsg) against the clock, so a rate is kept on average and bursts stay
 * shorter than ~100 microseconds' worth of datagrams.
 *
 * With IPERF_PORT, every batch goes a second time, in iperf2's UDP format
 * (sequence number, send time; IPERF_SIZE bytes), to an iperf2 server on
 * 127.0.0.1:IPERF_PORT, which then counts its loss from the same feeder run
 * at the same rate; at the end, iperf2's closing datagram (a negative
 * sequence number) makes the server print its report.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
/* iperf2's datagram length here: the lab's payload at six digits. */
#define IPERF_SIZE 28

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void iperf_header(char *at, int32_t id, const struct timeval *tv) {
  uint32_t words[3] = {htonl((uint32_t)id), htonl((uint32_t)tv->tv_sec),
                       htonl((uint32_t)tv->tv_usec)};
  memcpy(at, words, sizeof words);
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: feeder DEST PORT RATE SECONDS [BIND]\n");
    return 2;
  }
  const char *dest = argv[1];
  int port = atoi(argv[2]);
  double rate = atof(argv[3]);
  double seconds = atof(argv[4]);
  const char *bind_addr = argc > 5 ? argv[5] : "127.0.0.1";
  int iperf_port = argc > 6 ? atoi(argv[6]) : 0;

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof on);
  struct sockaddr_in local = {.sin_family = AF_INET};
  inet_pton(AF_INET, bind_addr, &local.sin_addr);
  if (bind(fd, (struct sockaddr *)&local, sizeof local) != 0) {
    perror("bind");
    return 1;
  }
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
  if (inet_pton(AF_INET, dest, &to.sin_addr) != 1) {
    fprintf(stderr, "bad address %s\n", dest);
    return 2;
  }

  static char payloads[BATCH][48];
  struct iovec iov[BATCH];
  struct mmsghdr msgs[BATCH];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = payloads[i];
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &to;
    msgs[i].msg_hdr.msg_namelen = sizeof to;
  }

  /* iperf2's UDP header: int32 id, uint32 tv_sec, uint32 tv_usec, then
     zeros (no client header flags: a plain test), all in network order. */
  struct sockaddr_in iperf_to = {.sin_family = AF_INET,
                                 .sin_port = htons(iperf_port)};
  inet_pton(AF_INET, "127.0.0.1", &iperf_to.sin_addr);
  static char iperf_payloads[BATCH][IPERF_SIZE];
  struct iovec iperf_iov[BATCH];
  struct mmsghdr iperf_msgs[BATCH];
  memset(iperf_msgs, 0, sizeof iperf_msgs);
  for (int i = 0; i < BATCH; i++) {
    iperf_iov[i].iov_base = iperf_payloads[i];
    iperf_iov[i].iov_len = IPERF_SIZE;
    iperf_msgs[i].msg_hdr.msg_iov = &iperf_iov[i];
    iperf_msgs[i].msg_hdr.msg_iovlen = 1;
    iperf_msgs[i].msg_hdr.msg_name = &iperf_to;
    iperf_msgs[i].msg_hdr.msg_namelen = sizeof iperf_to;
  }

  /* At most ~100 us of datagrams per batch, so pacing stays smooth. */
  long max_batch = BATCH;
  if (rate > 0 && rate / 10000 < max_batch) {
    max_batch = (long)(rate / 10000);
    if (max_batch < 1) max_batch = 1;
  }

  long long sent = 0;
  double start = now();
  double end = start + seconds;
  for (;;) {
    double t = now();
    if (t >= end) break;
    long n = max_batch;
    if (rate > 0) {
      long long due = (long long)((t - start) * rate) + 1 - sent;
      if (due <= 0) {
        /* Ahead of schedule: wait a little (sleeping less than a batch). */
        struct timespec ts = {0, 20000};
        nanosleep(&ts, NULL);
        continue;
      }
      if (due < n) n = due;
    }
    for (long i = 0; i < n; i++) {
      iov[i].iov_len = snprintf(payloads[i], sizeof payloads[i],
                                " BROADCAST ini angka %lld ", sent + 1 + i);
    }
    int done = sendmmsg(fd, msgs, n, 0);
    if (done < 0) {
      perror("sendmmsg");
      return 1;
    }
    if (iperf_port > 0) {
      struct timeval tv;
      gettimeofday(&tv, NULL);
      for (int i = 0; i < done; i++) {
        iperf_header(iperf_payloads[i], (int32_t)(sent + 1 + i), &tv);
      }
      if (sendmmsg(fd, iperf_msgs, done, 0) < 0) {
        perror("sendmmsg (iperf)");
        return 1;
      }
    }
    sent += done;
  }
  double took = now() - start;
  if (iperf_port > 0) {
    /* iperf2's client repeats its closing datagram until the server's
       report comes back; nobody reads that here, so a few, spaced out. */
    for (int i = 0; i < 5; i++) {
      struct timeval tv;
      gettimeofday(&tv, NULL);
      iperf_header(iperf_payloads[0], (int32_t)-(sent + 1), &tv);
      sendto(fd, iperf_payloads[0], IPERF_SIZE, 0,
             (struct sockaddr *)&iperf_to, sizeof iperf_to);
      struct timespec ts = {0, 20000000};
      nanosleep(&ts, NULL);
    }
  }
  printf("{\"sent\":%lld,\"seconds\":%.6f}\n", sent, took);
  return 0;
}
