import { create } from '@bufbuild/protobuf';
import { gatewayv1 } from '@nethical/contracts';
import type { ServiceImpl } from '@connectrpc/connect';
import { InvalidArgumentError } from '@nethical/platform';
import type { OperatorPorts } from './operator-ports';

/** `nethical.gateway.v1.AdminService`: quarantine and the escalation review queue, via the judge. */
export function adminService(ops: OperatorPorts): ServiceImpl<typeof gatewayv1.AdminService> {
  const need = (field: string, value: string) => {
    if (!value) throw new InvalidArgumentError(field, 'is required');
  };
  return {
    async quarantineAgent(req) {
      need('agent_id', req.agentId);
      const res = await ops.judge.quarantineAgent({
        agentId: req.agentId,
        reason: req.reason,
        durationSeconds: req.durationSeconds,
      });
      return create(gatewayv1.QuarantineAgentResponseSchema, { entry: res.entry });
    },
    async releaseAgent(req) {
      need('agent_id', req.agentId);
      const res = await ops.judge.releaseAgent({ agentId: req.agentId });
      return create(gatewayv1.ReleaseAgentResponseSchema, { released: res.released });
    },
    async listQuarantined() {
      const res = await ops.judge.listQuarantined({});
      return create(gatewayv1.ListQuarantinedResponseSchema, { entries: res.entries });
    },
    async listEscalations(req) {
      const res = await ops.judge.listEscalations({ status: req.status });
      return create(gatewayv1.ListEscalationsResponseSchema, { escalations: res.escalations });
    },
    async resolveEscalation(req) {
      need('escalation_id', req.escalationId);
      const res = await ops.judge.resolveEscalation({
        escalationId: req.escalationId,
        status: req.status,
        resolvedBy: req.resolvedBy,
        note: req.note,
      });
      return create(gatewayv1.ResolveEscalationResponseSchema, { escalation: res.escalation });
    },
  };
}
