import { create } from '@bufbuild/protobuf';
import { auditv1, judgev1, merklev1, type gatewayv1 } from '@nethical/contracts';
import type { Client } from '@connectrpc/connect';
import { getAuditRecord } from '../adapters/service-ports';
import { checkedText } from '../domain/action-request';

/**
 * An id used to look something up (action, agent): at most 256 printable characters, checked
 * once for HTTP and RPC alike, so a NUL in `GET /v1/audit/%00` is the client's 400, not a
 * PostgreSQL encoding error surfacing as a 500.
 */
export const lookupId = (field: string, value: string): string => checkedText(field, value, 256);

/** Operator-facing reads and admin actions, forwarded to the owning services. */
export interface OperatorPorts {
  getAudit(actionId: string): Promise<auditv1.AuditRecord | undefined>;
  listAudit(req: gatewayv1.ListAuditRecordsRequest): Promise<auditv1.ListRecordsResponse>;
  checkpoint(): Promise<merklev1.GetCheckpointResponse>;
  inclusion(
    index: bigint,
    treeSize: bigint,
    actionId: string,
  ): Promise<merklev1.GetInclusionProofResponse>;
  consistency(first: bigint, second: bigint): Promise<merklev1.GetConsistencyProofResponse>;
  judge: Client<typeof judgev1.PolicyJudgeService>;
}

export function createOperatorPorts(clients: {
  audit: Client<typeof auditv1.AuditStoreService>;
  merkle: Client<typeof merklev1.MerkleAnchorService>;
  judge: Client<typeof judgev1.PolicyJudgeService>;
}): OperatorPorts {
  return {
    getAudit: (actionId) => getAuditRecord(clients.audit, lookupId('action_id', actionId)),
    listAudit: (req) =>
      clients.audit.listRecords(
        create(auditv1.ListRecordsRequestSchema, {
          agentId: lookupId('agent_id', req.agentId),
          since: req.since,
          until: req.until,
          decision: req.decision,
          pageSize: req.pageSize,
          pageToken: req.pageToken,
        }),
      ),
    checkpoint: () => clients.merkle.getCheckpoint({}),
    inclusion: (index, treeSize, actionId) =>
      clients.merkle.getInclusionProof({
        index,
        treeSize,
        actionId: lookupId('action_id', actionId),
      }),
    consistency: (first, second) => clients.merkle.getConsistencyProof({ first, second }),
    judge: clients.judge,
  };
}
