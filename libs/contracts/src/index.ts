/**
 * Generated protobuf contracts of every Nethical service (protoc-gen-es v2), one namespace per
 * proto package. Regenerate with `npx nx run contracts:generate`; never edit files under `gen/`.
 */
export * from './gen/nethical/common/v1/common_pb';
export * as gatewayv1 from './gateway-v1';
export * as judgev1 from './gen/nethical/judge/v1/judge_pb';
export * as quotav1 from './gen/nethical/quota/v1/quota_pb';
export * as mlv1 from './gen/nethical/ml/v1/ml_pb';
export * as auditv1 from './gen/nethical/audit/v1/audit_pb';
export * as merklev1 from './gen/nethical/merkle/v1/merkle_pb';
export * as healthv1 from './gen/grpc/health/v1/health_pb';
export * as reflectionv1 from './gen/grpc/reflection/v1/reflection_pb';
export * as reflectionv1alpha from './gen/grpc/reflection/v1alpha/reflection_pb';
export * from './action-types';
