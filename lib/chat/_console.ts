/**
 * The chat's keyboard side: reads what the person types, line by line, and
 * prints incoming lines without mangling the line being typed.
 *
 * On a terminal, standard input is put in cbreak mode (keys arrive one by
 * one, Ctrl+C still sends SIGINT) and this module does the echo itself: an
 * incoming line clears the input line, is printed, and the prompt and the
 * partial input are drawn again below it. Piped standard input is read line
 * by line with no prompt.
 *
 * @module
 */

import { type Output, writeConsole } from "../cli/output.ts";

const ENCODER = new TextEncoder();

/** Options for {@linkcode ChatConsole}. */
export interface ConsoleOptions {
  /** Shown before the input on a terminal. */
  prompt: string;
  /** A line the person entered (without its newline). */
  onLine(text: string): void;
  /** Standard input ended (Ctrl+D on an empty line, end of a pipe, or no input). */
  onEnd(): void;
  /** Longest input line in bytes (UTF-8); the terminal beeps past it. */
  maxLineBytes: number;
  /**
   * The role's output: with `--json` there is no prompt and no editing in
   * place; each line the terminal keeps when editing in place (lines printed
   * above the input, the prompt with each line entered) goes to its
   * recording (`Output.recordLine`).
   */
  out?: Pick<Output, "json" | "recordLine">;
}

/** Keyboard input and screen output for a chat program. */
export class ChatConsole {
  /** Whether the input line is edited in place on a terminal. */
  readonly interactive: boolean;
  #options: ConsoleOptions;
  #input = "";
  #drawn = false;
  #rawSet = false;
  #ended = false;

  /** Creates a console; call {@linkcode start} to read input. */
  constructor(options: ConsoleOptions) {
    this.#options = options;
    this.interactive = options.out?.json !== true &&
      Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
  }

  /** What has been typed but not entered yet. */
  get pendingInput(): string {
    return this.#input;
  }

  /** Starts reading standard input in the background. */
  start(): void {
    if (this.interactive) {
      Deno.stdin.setRaw(true, { cbreak: true });
      this.#rawSet = true;
      this.#draw();
      void this.#readKeys();
    } else {
      void this.#readLines();
    }
  }

  /** Prints a line above the input line (or just prints it, when piped). */
  print(text: string): void {
    if (!this.interactive) {
      writeAll(text + "\n");
      return;
    }
    writeAll(this.#clearSequence() + text + "\r\n" + this.#drawSequence());
    this.#options.out?.recordLine(text);
  }

  /**
   * Changes the prompt (the multicast chat shows its count of unread lines
   * there); on a terminal the input line is drawn again at once.
   */
  setPrompt(prompt: string): void {
    if (prompt === this.#options.prompt) return;
    const clear = this.#clearSequence();
    this.#options.prompt = prompt;
    if (clear !== "") writeAll(clear + this.#drawSequence());
  }

  /** Rings the terminal's bell (a notification); nothing when piped. */
  bell(): void {
    if (this.interactive) writeAll("\x07");
  }

  /** Stops editing: removes the prompt line and restores the terminal. */
  close(): void {
    if (this.#rawSet) {
      writeAll(this.#clearSequence());
      this.#drawn = false;
      try {
        Deno.stdin.setRaw(false);
      } catch {
        // the terminal is gone
      }
      this.#rawSet = false;
    }
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#options.onEnd();
  }

  async #readLines(): Promise<void> {
    const decoder = new TextDecoder();
    let rest = "";
    try {
      for await (const chunk of Deno.stdin.readable) {
        rest += decoder.decode(chunk, { stream: true });
        let newline;
        while ((newline = rest.indexOf("\n")) !== -1) {
          const line = rest.slice(0, newline).replace(/\r$/, "");
          rest = rest.slice(newline + 1);
          this.#options.onLine(line);
        }
      }
      rest += decoder.decode();
      if (rest !== "") this.#options.onLine(rest.replace(/\r$/, ""));
    } catch {
      // standard input closed or unreadable: same as its end
    }
    this.#end();
  }

  async #readKeys(): Promise<void> {
    const decoder = new TextDecoder();
    let escape = "";
    try {
      for await (const chunk of Deno.stdin.readable) {
        const text = decoder.decode(chunk, { stream: true });
        for (const ch of text) {
          if (escape !== "") {
            // Skip terminal escape sequences (arrow keys, …).
            escape += ch;
            if (escapeDone(escape)) escape = "";
            continue;
          }
          if (ch === "\x1b") {
            escape = ch;
            continue;
          }
          if (this.#key(ch) === "end") {
            this.#end();
            return;
          }
        }
      }
    } catch {
      // the terminal is gone
    }
    this.#end();
  }

  #key(ch: string): "end" | undefined {
    switch (ch) {
      case "\r":
      case "\n": {
        const line = this.#input;
        this.#input = "";
        writeAll("\r\n");
        this.#options.out?.recordLine(this.#options.prompt + line);
        this.#drawn = false;
        this.#options.onLine(line);
        // A line printed by onLine (a refusal, /help) drew the prompt already.
        if (!this.#drawn) this.#draw();
        return;
      }
      case "\x7f":
      case "\b":
        this.#input = Array.from(this.#input).slice(0, -1).join("");
        break;
      case "\x15": // Ctrl+U
        this.#input = "";
        break;
      case "\x17": // Ctrl+W
        this.#input = this.#input.replace(/\S*\s*$/, "");
        break;
      case "\x04": // Ctrl+D
        if (this.#input === "") return "end";
        return;
      case "\t":
        return this.#insert(" ");
      default:
        if (ch.codePointAt(0)! < 0x20 || ch === "\x7f") return;
        return this.#insert(ch);
    }
    this.#redraw();
  }

  #insert(ch: string): undefined {
    const bytes = ENCODER.encode(this.#input + ch).length;
    if (bytes > this.#options.maxLineBytes) {
      writeAll("\x07");
      return;
    }
    this.#input += ch;
    this.#redraw();
    return;
  }

  #redraw(): void {
    writeAll(this.#clearSequence() + this.#drawSequence());
  }

  #draw(): void {
    writeAll(this.#drawSequence());
  }

  #drawSequence(): string {
    this.#drawn = true;
    return this.#options.prompt + this.#input;
  }

  /** Moves to the start of the (possibly wrapped) input and clears to the end of the screen. */
  #clearSequence(): string {
    if (!this.#drawn) return "";
    this.#drawn = false;
    const width = columns(this.#options.prompt + this.#input);
    let cols = 80;
    try {
      cols = Deno.consoleSize().columns || 80;
    } catch {
      // not a terminal after all
    }
    const rowsAbove = width > 0 ? Math.floor((width - 1) / cols) : 0;
    return (rowsAbove > 0 ? `\x1b[${rowsAbove}A` : "") + "\r\x1b[J";
  }
}

/** Whether an escape sequence is complete: ESC x, ESC O x, or ESC [ … final byte. */
function escapeDone(sequence: string): boolean {
  if (sequence.length === 2) return sequence[1] !== "[" && sequence[1] !== "O";
  if (sequence[1] === "O") return true;
  const code = sequence.codePointAt(sequence.length - 1)!;
  return code >= 0x40 && code <= 0x7e;
}

/** Screen columns of `text`, counting East Asian wide characters as two. */
function columns(text: string): number {
  let n = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    n += (code >= 0x1100 && code <= 0x115f) ||
        (code >= 0x2e80 && code <= 0xa4cf) ||
        (code >= 0xac00 && code <= 0xd7a3) ||
        (code >= 0xf900 && code <= 0xfaff) ||
        (code >= 0xfe30 && code <= 0xfe4f) ||
        (code >= 0xff00 && code <= 0xff60) ||
        (code >= 0xffe0 && code <= 0xffe6) ||
        (code >= 0x1f300 && code <= 0x1faff) ||
        (code >= 0x20000 && code <= 0x3fffd)
      ? 2
      : 1;
  }
  return n;
}

/** Queued, in order with the program's other output: a paused terminal must not stop the chat. */
function writeAll(text: string): void {
  writeConsole(text);
}
