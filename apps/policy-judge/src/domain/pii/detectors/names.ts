/**
 * Person names, only after strong context ("my name is", "Name:", an honorific, a letter's
 * salutation or sign-off). There is no name dictionary or NER model here: a bare name in running
 * text is NOT detected. Aggressive policy only.
 */
import type { Emit } from './scan-context.js';

const NAME = "[A-Z][a-z'\\-]{1,20}(?:[ ][A-Z][a-z'\\-]{1,20}){0,2}";
const CUE =
  '(?:[Mm]y name is|[Nn]ame is|[Nn]ame:|[Cc]alled|Mr\\.?|Mrs\\.?|Ms\\.?|Miss|Dr\\.?|Prof\\.?|Dear|Sincerely,|Regards,|Signed,?|Patient:|Customer:|Employee:)';
const NAME_RE = new RegExp(`(?<![\\w])${CUE}[ ]{1,3}(${NAME})(?![\\w])`, 'g');

/** Emit `PERSON` for the capitalised words after a naming cue (confidence 0.7). */
export function detectNames(text: string, emit: Emit): void {
  NAME_RE.lastIndex = 0;
  for (let m = NAME_RE.exec(text); m !== null; m = NAME_RE.exec(text)) {
    const name = m[1] ?? '';
    const end = m.index + m[0].length;
    emit('PERSON', end - name.length, end, 0.7);
  }
}
