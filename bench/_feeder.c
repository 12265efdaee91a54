/*
 * Benchmark-only feeder: sends the broadcast lab's payload
 * " BROADCAST ini angka N " (N = 1, 2, 3, ...) at a fixed rate, or flat out,
 * for a fixed time, so receivers can count their loss from the numbers.
 * Compiled by bench/udp_bench.ts with cc at bench time; never shipped.
 *
 *   feeder DEST PORT RATE SECONDS [BIND]   (RATE 0 = flat out)
 *
 * Prints one JSON line: {"sent":N,"seconds":S}. Paces in small batches
 * (sendmmsg) against the clock, so a rate is kept on average and bursts stay
 * shorter than ~100 microseconds' worth of datagrams.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
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
    sent += done;
  }
  printf("{\"sent\":%lld,\"seconds\":%.6f}\n", sent, now() - start);
  return 0;
}
