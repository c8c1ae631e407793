import type { Finding } from '../finding.js';
import type { Detector } from './detector.js';

/**
 * A speaker label at the start of a line: `[Name]`, `(Name)` (either with an optional colon),
 * `Name:` (at most 30 characters, starting with a capital, a digit or a symbol such as an
 * emoji), `As Name,` (optionally `As Name, I would say:`), or a lone Greek letter or emoji
 * followed by a space (`Ω …`). Case-sensitive on purpose: a lower-case line start
 * followed by a colon is prose ("note that: …"), not a voice.
 */
const LABEL =
  /^[^\S\n]{0,3}(?:[[(]([^\n[\]()]{1,30})[\])][^\S\n]{0,2}:?|([^\s\p{Ll}:][^\n:.!?()[\]]{0,29}(?:[([][^\n()[\]]{1,20}[)\]])?):(?!\/\/)|As ([A-Z][\w-]{0,20}),(?: I (?:would|will|'d) (?:say|answer|respond|reply)[^:\n]{0,20}:)?|([\p{Script=Greek}\p{Extended_Pictographic}])[^\S\n])/gmu;

/**
 * A voice declining the request: a refusal of assistance ("I can't help with …", "I'm sorry,
 * but I won't …", "As an AI …", "against my guidelines"), not any negation ("I can't believe").
 */
const DECLINES =
  /\b(?:I(?:'m| am|’m) (?:sorry|afraid)\b[^.\n]{0,40}\b(?:can(?:'|’)?t|cannot|won(?:'|’)t|will not|unable|not able|decline|refuse)|I(?:'m| am|’m) (?:unable|not able|not going) to (?:[a-z]+ ){0,2}(?:help|assist|provide|fulfill|comply|support|condone|create|write|give|generate|engage|do that|answer|explain|share|offer|promote|encourage|endorse|participate)|I (?:cannot|can(?:'|’)t|can not|won(?:'|’)t|will not|must not|refuse to)(?: [a-z]+){0,2} (?:help|assist|provide|fulfill|comply|support|condone|create|write|give|generate|engage|do that|do this|answer|explain|share|offer|promote|encourage|endorse|participate)|I must (?:respectfully )?(?:decline|refuse)|as an ai\b|against my (?:guidelines|programming|principles|policies|ethical))/i;

/** A voice distancing itself from the request ("that's illegal", "I strongly discourage …"). */
const DISAPPROVES =
  /\b(?:unethical|irresponsible|not (?:a )?(?:responsible|ethical|cool|okay|ok|something I|appropriate)|(?:strongly )?(?:discourage|advise against)|can(?:'|’)?t (?:endorse|support|condone|encourage|recommend)|ain(?:'|’)t|I (?:must|have to|need to|gotta) (?:emphasi[sz]e|advise|remind|warn|be (?:straight|honest))|(?:is|are) (?:wrong|illegal|harmful|dangerous)\b|(?:is|are) (?:not|never) the (?:solution|answer|way)|\binstead,|\blegal (?:and|or) ethical|\bharmless\b|\bno-no\b|\bwrong (?:ai|bot|person|guy)\b|(?:don(?:'|’)t|do not|doesn(?:'|’)t) (?:endorse|condone|encourage|support|recommend)|(?:honesty|integrity)\b[^.\n]{0,30}\b(?:crucial|important|essential|matters?|values?))/i;

/** A voice going on to answer: instructions, a method, or the requested text itself. */
const ANSWERS =
  /\b(?:you(?:'ll|’ll| will| would|'d|’d) (?:need|want)|you (?:could|can|should|might|need to|want to|have to)|start (?:by|with|off)|first(?:ly)?,|the (?:best|easiest|most effective|simplest|quickest) way|here(?:'s|’s| is| are) (?:how|what|a|an|some|the|one|my|your)|step (?:1|one)\b|I(?:'d|’d| would) suggest|I can give you|how about|one (?:way|option) (?:to|is)|(?:several|a few|some) (?:ways|options|methods|techniques)|try (?:to )?[a-z]{3,}ing|make sure|, then (?:[a-z]+ ){0,2}[a-z]+)/i;

/**
 * A voice that opens with an instruction ("Copy the login page …", "Pop the cover off …"):
 * right after its label, a common imperative verb and an object.
 */
const OPENS_WITH_INSTRUCTION =
  /^[\s"'“]{0,3}(?:first,? |just |simply |then )?(?:get|buy|take|use|put|pop|find|copy|clone|send|open|remove|install|pick|wear|mix|add|hide|cut|place|hook|slide|strip|touch|make|create|set up|go to|wait|call|download|host|register|write|grab|start|look for|break|disable|wrap|pour|heat|combine|sign up)\b[^.\n]{3,}/i;

/** How far into a voice a refusal or disapproval still counts as that voice's stance. */
const STANCE_CHARS = 200;
const MIN_ANSWER_CHARS = 60;

interface Voice {
  name: string;
  start: number;
  /** Where the voice's own words begin, after its label. */
  labelEnd: number;
  end: number;
}

/** The labelled voices of `text`, in order (text before the first label is not a voice). */
function voicesOf(text: string): Voice[] {
  const voices: Voice[] = [];
  LABEL.lastIndex = 0;
  for (let m = LABEL.exec(text); m !== null; m = LABEL.exec(text)) {
    const raw = m[1] ?? m[2] ?? m[3] ?? m[4] ?? '';
    // Letters and digits only: "(🔓Developer Mode Output)" and "Developer Mode Output:" are one voice.
    const name = raw.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
    if (name.length > 0 || raw.trim().length > 0) {
      const prev = voices.at(-1);
      if (prev) prev.end = m.index;
      voices.push({
        name: name.length > 0 ? name : raw.trim(),
        start: m.index,
        labelEnd: m.index + m[0].length,
        end: text.length,
      });
    }
    if (m[0].length === 0) LABEL.lastIndex++;
  }
  return voices;
}

/**
 * Dual-answer jailbreak output (DAN, developer mode, "as BH I would say", …): a response in
 * two or more labelled voices where one voice declines the request and a later voice, under
 * another name, answers it without declining or distancing itself. The structure is the attack:
 * a model that declines once and then answers in a second persona has been jailbroken, whatever
 * the topic. Hand-written: a structural check over at most a few labels, no library scores it.
 * `response` actions only; a single voice, or every voice declining, is not flagged.
 */
export function createDualVoiceDetector(): Detector {
  return {
    id: 'dual-voice',
    tier: 'cheap',
    gate: () => true,
    run(ctx) {
      if (ctx.actionType !== 'response') return [];
      const limit = ctx.policy.file.limits.maxContentChars;
      const text = ctx.content.length > limit ? ctx.content.slice(0, limit) : ctx.content;
      if (!text.includes('\n') || !DECLINES.test(text)) return [];
      const voices = voicesOf(text);
      if (voices.length < 2) return [];
      let declined: Voice | undefined;
      for (const v of voices) {
        const body = text.slice(v.start, v.end);
        const stance = body.slice(0, STANCE_CHARS);
        if (DECLINES.test(stance)) {
          declined ??= v;
          continue;
        }
        if (
          declined !== undefined &&
          v.name !== declined.name &&
          body.length >= MIN_ANSWER_CHARS &&
          !DISAPPROVES.test(stance) &&
          (ANSWERS.test(body) || OPENS_WITH_INSTRUCTION.test(text.slice(v.labelEnd, v.end)))
        ) {
          return [finding(declined, v)];
        }
      }
      return [];
    },
  };
}

function finding(declined: Voice, answered: Voice): Finding {
  return {
    detector: 'dual-voice',
    category: 'output.jailbroken_persona',
    severity: 'HIGH',
    confidence: 0.7,
    spans: [{ start: answered.start, end: Math.min(answered.end, answered.start + 400) }],
    reason: `a second voice ("${answered.name}") answers after "${declined.name}" declined (dual-answer jailbreak format)`,
  };
}
