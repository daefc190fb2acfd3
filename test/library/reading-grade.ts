// A reading grade for a service's text: the Flesch–Kincaid grade level (US school grade; GOV.UK aims for a reading age
// of 9, roughly grade 4, and plain public-service writing sits at grade 6 to 8). Syllables are counted by `syllable`
// and the formula is `flesch-kincaid`'s, both well kept by one author (wooorm); splitting text into sentences and words
// is ours, because definitions hold fragments (labels, options, e-mail lines) no general-purpose splitter expects.
import { fleschKincaid } from 'flesch-kincaid';
import { syllable } from 'syllable';
import type { CitizenText } from './citizen-text.ts';

export interface Sentence {
  where: string;
  text: string;
  words: number;
  syllables: number;
  grade: number;
}

export interface ReadingGrade {
  grade: number;
  sentences: number;
  words: number;
  /** The hardest sentences first: those of at least LONG_ENOUGH words, by grade, then the fragments, by grade. */
  hardest: Sentence[];
}

/**
 * Sentences shorter than this are ranked after the rest: the formula gives a one-word label like "Inspection" grade 20,
 * which says nothing about how hard it is to read. They still count in the service's grade.
 */
export const LONG_ENOUGH = 6;

/** The grade of all the pieces read together, and its sentences from hardest to easiest. */
export function readingGrade(pieces: CitizenText[]): ReadingGrade {
  const sentences = pieces.flatMap((p) => sentencesOf(p.text).map((s) => measure(p.where, s)));
  const words = sum(sentences.map((s) => s.words));
  const syllables = sum(sentences.map((s) => s.syllables));
  return {
    grade: words ? grade(sentences.length, words, syllables) : 0,
    sentences: sentences.length,
    words,
    hardest: [...sentences].sort((a, b) => Number(b.words >= LONG_ENOUGH) - Number(a.words >= LONG_ENOUGH) || b.grade - a.grade),
  };
}

/**
 * Sentences of a piece of text as the pages show it: paragraphs split on blank lines (a single line break runs on, as
 * in the start page), list items ("- …") on their own, each split after ".", "!" or "?"; a piece without an ending (a
 * label, an option, a heading) is one sentence. Placeholders ("((reference))"), web addresses and a label's
 * "(optional)" are not read.
 */
export function sentencesOf(text: string): string[] {
  return text
    .replace(/\(\([^)]*\)\)/g, '')
    .replace(/\bhttps?:\/\/\S+/g, '')
    .replace(/\(optional\)/gi, '')
    .split(/\n\s*\n|\n(?=\s*(?:[-*•]|\d+\.)\s)/)
    .map((paragraph) =>
      paragraph
        .replace(/\s+/g, ' ')
        .replace(/^\s*(?:[-*•]|\d+\.)\s+/, '')
        .trim(),
    )
    .flatMap((paragraph) => paragraph.split(/(?<=[.!?])\s+(?=[A-Z0-9£"'‘“(])/))
    .map((s) => s.trim())
    .filter((s) => wordsOf(s).length > 0);
}

/** Words: runs of letters or digits (with inner apostrophes, hyphens, commas or points: "can't", "1,250.00"). */
export function wordsOf(sentence: string): string[] {
  return sentence.match(/[\p{L}\p{N}]+(?:['’.,-][\p{L}\p{N}]+)*/gu) ?? [];
}

function measure(where: string, text: string): Sentence {
  const words = wordsOf(text);
  // A number is read as one word here: "999" or "2026" should not make a sentence look hard.
  const syllables = sum(words.map((w) => (/\p{L}/u.test(w) ? Math.max(1, syllable(w)) : 1)));
  return { where, text, words: words.length, syllables, grade: grade(1, words.length, syllables) };
}

function grade(sentence: number, word: number, syllables: number): number {
  return Math.round(fleschKincaid({ sentence, word, syllable: syllables }) * 10) / 10;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
