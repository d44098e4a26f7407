/**
 * Choosing and filling a rule's message. A message is one template, or a list of variants whose
 * `when` conditions pick the wording that fits the facts (the last variant, without `when`, is the
 * default), so no fallback text has to stand in mid-sentence for a fact that is not there.
 */
import type { MessageTemplate } from '../domain/rule.js';
import { evaluateCondition } from './conditions.js';
import type { EvalDocument } from './document.js';
import { renderTemplate } from './template.js';

/** The template text that applies: the first variant whose `when` holds, else the last one. */
export function messageText(message: MessageTemplate, doc: EvalDocument): string {
  if (typeof message === 'string') return message;
  const chosen = message.find((variant) => variant.when === undefined || evaluateCondition(variant.when, doc));
  // Load-time checks guarantee a default; a rule built in code without one still gets its last wording.
  return (chosen ?? message[message.length - 1])?.text ?? '';
}

/** The message for these facts, with every {{…}} filled. */
export function renderMessage(message: MessageTemplate, doc: EvalDocument): string {
  return renderTemplate(messageText(message, doc), doc);
}
