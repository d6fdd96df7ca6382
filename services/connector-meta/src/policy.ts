import { replyWindow, type ReplyDecision, type ReplyPolicy, type ReplyRequest } from '@switchboard/connector-sdk';

/**
 * Meta's reply rules, as the Messenger Platform policy and the WhatsApp Business Platform state them:
 * - Messenger and Instagram: the standard messaging window is 24 h after the person's last message
 *   (`messaging_type: RESPONSE`); from then to 7 days only a person may answer, with the `HUMAN_AGENT`
 *   message tag; after that nothing may be sent until they write again.
 *   (developers.facebook.com/documentation/business-messaging/messenger-platform/policy/,
 *   …/messenger-platform/send-messages, …/instagram-messaging/features/send-message)
 * - WhatsApp: free-form messages for 24 h after the customer's last message (the customer-service
 *   window); after it only an approved template (error 131047 "Re-engagement message" otherwise).
 *   (developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes/)
 * The modes are the values `send` reads from `OutboundMessage.replyMode`.
 */
export const REPLY_MODES = { response: 'response', humanAgent: 'human_agent', template: 'template' } as const;

const HOURS_PER_WEEK = 7 * 24;
const standard = replyWindow({ hours: 24, mode: REPLY_MODES.response });
const humanAgent = replyWindow({ hours: HOURS_PER_WEEK, mode: REPLY_MODES.humanAgent });

function afterStandard(request: ReplyRequest, later: (request: ReplyRequest) => ReplyDecision): ReplyDecision {
  const decision = standard.decide(request);
  return !decision.allowed && decision.code === 'window-closed' ? later(request) : decision;
}

export const messagingReplies: ReplyPolicy = {
  summary: "24 h after the customer's last message; an agent's reply up to 7 days, with Meta's human-agent tag",
  decide: (request) =>
    afterStandard(request, (r) => {
      if (r.kind === 'ack') {
        return { allowed: false, code: 'not-for-automatic', reason: "more than 24 h since the customer's last message: only a person may answer now (Meta's human-agent tag), never an automatic message" };
      }
      const decision = humanAgent.decide(r);
      return decision.allowed ? decision : { allowed: false, code: 'window-closed', reason: "more than 7 days since the customer's last message; they must write first" };
    }),
};

export const whatsappReplies: ReplyPolicy = {
  summary: "24 h after the customer's last message; later an agent's reply goes out as the approved template",
  decide: (request) =>
    afterStandard(request, (r) =>
      r.kind === 'ack'
        ? { allowed: false, code: 'not-for-automatic', reason: 'the 24-hour customer-service window has closed: only an approved template may be sent, and acknowledgements are not sent as templates' }
        : { allowed: true, mode: REPLY_MODES.template },
    ),
};
