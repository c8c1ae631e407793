import { create } from '@bufbuild/protobuf';
import { ActionType } from '@nethical/contracts';
import { gatewayv1 } from '@nethical/contracts';
import type { ServiceImpl } from '@connectrpc/connect';
import { InvalidArgumentError, NotFoundError } from '@nethical/platform';
import { validateActionRequest, type ValidationLimits } from '../domain/action-request';
import type { ActionProcessor } from '../domain/process-action';
import type { OperatorPorts } from './operator-ports';

/** `nethical.gateway.v1.GovernanceService` over the action processor and operator ports. */
export function governanceService(
  processAction: ActionProcessor,
  limits: ValidationLimits,
  ops: OperatorPorts,
  /** Deadline of a call whose client sent none (NETHICAL_HTTP_DEADLINE_MS). */
  defaultDeadlineMs: number,
): ServiceImpl<typeof gatewayv1.GovernanceService> {
  return {
    async processAction(req, ctx) {
      if (ActionType[req.actionType] === undefined) {
        throw new InvalidArgumentError('action_type', `unknown enum value ${req.actionType}`);
      }
      const input = validateActionRequest(
        {
          agent_id: req.agentId,
          action: req.action,
          action_type: req.actionType === ActionType.UNSPECIFIED ? undefined : ActionType[req.actionType],
          action_id: req.actionId,
          context: req.context,
          cohort: req.cohort,
          region_id: req.regionId,
          tenant_id: req.tenantId,
        },
        limits,
      );
      // ctx.signal aborts when the client goes away or its grpc-timeout / connect-timeout-ms passes.
      const deadline = Date.now() + (ctx.timeoutMs() ?? defaultDeadlineMs);
      return (await processAction(input, { signal: ctx.signal, deadline, header: (name) => ctx.requestHeader.get(name) })).response;
    },
    async getAuditRecord(req) {
      if (!req.actionId) throw new InvalidArgumentError('action_id', 'is required');
      const record = await ops.getAudit(req.actionId);
      if (!record) throw new NotFoundError(`action_id: no audit record for ${req.actionId}`);
      return create(gatewayv1.GetAuditRecordResponseSchema, { record });
    },
    async listAuditRecords(req) {
      const res = await ops.listAudit(req);
      return create(gatewayv1.ListAuditRecordsResponseSchema, {
        records: res.records,
        nextPageToken: res.nextPageToken,
      });
    },
    async getCheckpoint() {
      return create(gatewayv1.GetCheckpointResponseSchema, { checkpoint: await ops.checkpoint() });
    },
    async getInclusionProof(req) {
      return create(gatewayv1.GetInclusionProofResponseSchema, {
        proof: await ops.inclusion(req.index, req.treeSize, req.actionId),
      });
    },
    async getConsistencyProof(req) {
      return create(gatewayv1.GetConsistencyProofResponseSchema, {
        proof: await ops.consistency(req.first, req.second),
      });
    },
  };
}

