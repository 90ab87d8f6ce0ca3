/** Topic patterns as automata: the linear-time matcher behind `compilePatterns` (topic.ts). */

/**
 * Work done by pattern matching in this process: one step per topic character run through a pattern's
 * automaton, times the 32-state words the automaton needs. Cheap to keep (matching runs per subscribe
 * and publish, never per delivery); specs read it to prove the bound.
 */
export const patternMatchStats = { steps: 0 };

const DOT = 0x2e;
const SLASH = 0x2f;
const STAR = 0x2a;
/** Token values besides character codes. */
const SEG = -1; // `*`: any run of characters but `.` and `/`
const ANY = -2; // `**`: any run of characters

/**
 * One pattern containing `*`, matched without backtracking. Its literal head and tail (before the first
 * and after the last star) are compared directly; the core between them runs as a nondeterministic
 * automaton simulated bit-parallel (shift-and): state i means "the first i core tokens (a character,
 * `*` or `**`) are matched", and all live states advance together one topic character at a time. A topic
 * of n characters costs at most n × ⌈states/32⌉ word operations whatever the pattern:
 * `*a*a*a*a*a*a*b`, which made a backtracking RegExp run for seconds, costs one word per character.
 * No star follows another (`***` is not a valid pattern), so a star's empty match is one shift.
 */
export class Glob {
  private readonly head: string;
  private readonly tail: string;
  /** Literal characters in the whole pattern: a shorter topic cannot match. */
  private readonly minLength: number;
  /** 32-bit words per state set. */
  private readonly words: number;
  /** Literal masks per character class (bit i: core token i is that character); row 0 is "no literal". */
  private readonly literal: Uint32Array;
  /** Character (ASCII) → row in `literal`; characters absent from the pattern map to row 0. */
  private readonly classOf = new Uint8Array(128);
  /** Core states whose token is `*` or `**`, and those whose token is `**` (these loop on `.` and `/` too). */
  private readonly star: Uint32Array;
  private readonly anyStar: Uint32Array;
  private readonly state: Uint32Array;
  private readonly acceptWord: number;
  private readonly acceptBit: number;
  /** The core ends with `**`: once its accepting state is live, the rest of the topic matches. */
  private readonly openEnd: boolean;

  constructor(pattern: string) {
    const first = pattern.indexOf('*');
    const last = pattern.lastIndexOf('*');
    this.head = pattern.slice(0, first);
    this.tail = pattern.slice(last + 1);
    const tokens: number[] = [];
    for (let i = first; i <= last; i++) {
      const c = pattern.charCodeAt(i);
      if (c !== STAR) tokens.push(c);
      else if (pattern.charCodeAt(i + 1) === STAR) {
        tokens.push(ANY);
        i++;
      } else tokens.push(SEG);
    }
    this.minLength = this.head.length + this.tail.length + tokens.filter((t) => t >= 0).length;
    const w = (this.words = Math.ceil((tokens.length + 1) / 32));
    let classes = 1;
    for (const t of tokens) if (t >= 0 && this.classOf[t] === 0) this.classOf[t] = classes++;
    this.literal = new Uint32Array(classes * w);
    this.star = new Uint32Array(w);
    this.anyStar = new Uint32Array(w);
    this.state = new Uint32Array(w);
    tokens.forEach((t, i) => {
      const word = i >>> 5;
      const bit = 1 << (i & 31);
      if (t >= 0) this.literal[(this.classOf[t] as number) * w + word]! |= bit;
      else this.star[word]! |= bit;
      if (t === ANY) this.anyStar[word]! |= bit;
    });
    this.acceptWord = tokens.length >>> 5;
    this.acceptBit = 1 << (tokens.length & 31);
    this.openEnd = tokens[tokens.length - 1] === ANY;
  }

  matches(topic: string): boolean {
    const n = topic.length;
    if (n < this.minLength || !topic.startsWith(this.head) || !topic.endsWith(this.tail)) return false;
    const from = this.head.length;
    const to = n - this.tail.length;
    patternMatchStats.steps += (to - from) * this.words;
    return this.words === 1 ? this.runOneWord(topic, from, to) : this.run(topic, from, to);
  }

  /** The automaton in one number: cores of up to 31 tokens, nearly every real pattern. */
  private runOneWord(topic: string, from: number, to: number): boolean {
    const { literal, classOf, openEnd, acceptBit } = this;
    const star = this.star[0]!;
    const anyStar = this.anyStar[0]!;
    let d = 0b11; // the core starts with a star: state 0, and state 1 by its empty match
    for (let i = from; i < to; i++) {
      if (openEnd && (d & acceptBit) !== 0) return true;
      const c = topic.charCodeAt(i);
      const lit = d & literal[c < 128 ? (classOf[c] as number) : 0]!;
      d = (lit << 1) | (d & (c === DOT || c === SLASH ? anyStar : star)); // `*` never crosses a separator
      if (d === 0) return false;
      d |= (d & star) << 1;
    }
    return (d & acceptBit) !== 0;
  }

  /** The same automaton over several words, carrying shifted bits from word to word. */
  private run(topic: string, from: number, to: number): boolean {
    const { words, literal, classOf, star, anyStar, state, openEnd, acceptWord, acceptBit } = this;
    state.fill(0);
    state[0] = 0b11;
    for (let i = from; i < to; i++) {
      if (openEnd && (state[acceptWord]! & acceptBit) !== 0) return true;
      const c = topic.charCodeAt(i);
      const row = (c < 128 ? (classOf[c] as number) : 0) * words;
      const loops = c === DOT || c === SLASH ? anyStar : star;
      let carry = 0;
      let skipCarry = 0;
      let live = 0;
      for (let k = 0; k < words; k++) {
        const d = state[k]!;
        const lit = d & literal[row + k]!;
        let next = (lit << 1) | carry | (d & loops[k]!);
        carry = lit >>> 31;
        const skip = next & star[k]!;
        next |= (skip << 1) | skipCarry;
        skipCarry = skip >>> 31;
        state[k] = next;
        live |= next;
      }
      if (live === 0) return false;
    }
    return (state[acceptWord]! & acceptBit) !== 0;
  }
}
