import { create } from '@bufbuild/protobuf';
import { ActionType, mlv1 } from '@nethical/contracts';
import type { ServiceImpl } from '@connectrpc/connect';
import { InvalidArgumentError } from '@nethical/platform';
import { actionTypeName } from '../domain/action-type';
import type { Scorer } from '../domain/scorer';

/** `nethical.ml.v1.MlScorerService` over the scorer. With anomaly detection off, no anomaly is reported. */
export function mlService(scorer: Scorer, opts: { anomalyDetection: boolean }): ServiceImpl<typeof mlv1.MlScorerService> {
  return {
    async score(req) {
      if (!req.agentId) throw new InvalidArgumentError('agent_id', 'is required');
      if (ActionType[req.actionType] === undefined) throw new InvalidArgumentError('action_type', `unknown value ${req.actionType}`);
      const r = await scorer.score({ agentId: req.agentId, content: req.content, actionType: actionTypeName(req.actionType) });
      return create(mlv1.ScoreResponseSchema, {
        score: r.score,
        modelVersion: r.modelVersion,
        anomaly: opts.anomalyDetection && r.anomaly,
        anomalyScore: opts.anomalyDetection ? r.anomalyScore : 0,
        anomalyUnavailable: opts.anomalyDetection && !r.anomalyAvailable,
        topFeatures: r.topFeatures.map((f) => ({ feature: f.feature, weight: f.weight })),
      });
    },
  };
}
