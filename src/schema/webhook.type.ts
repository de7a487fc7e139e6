/** Webhooks, their deliveries and metric alerts (src/notify/, docs/webhooks.md). */
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from './connection.type';
import { ComparisonEnum, MetricAggregateEnum } from './enums';
import { DateTimeScalar } from './scalars';

export enum WebhookEventEnum {
  EXPERIMENT_CREATED = 'EXPERIMENT_CREATED',
  EXPERIMENT_ENDED = 'EXPERIMENT_ENDED',
  MODEL_VERSION_CREATED = 'MODEL_VERSION_CREATED',
  MODEL_VERSION_UPDATED = 'MODEL_VERSION_UPDATED',
  MODEL_VERSION_ALIAS_SET = 'MODEL_VERSION_ALIAS_SET',
  MODEL_VERSION_ALIAS_REMOVED = 'MODEL_VERSION_ALIAS_REMOVED',
  METRIC_ALERT = 'METRIC_ALERT',
}
registerEnumType(WebhookEventEnum, {
  name: 'WebhookEvent',
  description: 'What a webhook is told of; the body `type` is e.g. `experiment.ended` (docs/webhooks.md).',
});

export enum DeliveryStatusEnum {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
  DISABLED = 'DISABLED',
}
registerEnumType(DeliveryStatusEnum, {
  name: 'DeliveryStatus',
  description: 'PENDING: waiting for its next attempt. FAILED: every retry failed. DISABLED: the endpoint was disabled (410, or failing too long).',
});

@ObjectType({ description: 'One event for one endpoint, with its attempts so far. Its `webhook-id` header is the same on every attempt.' })
export class WebhookDelivery {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'The body `type`, such as `experiment.ended`.' })
  event!: string;

  @Field({ description: 'The `webhook-id` header of every attempt: the receiver\'s idempotency key.' })
  messageId!: string;

  @Field(() => DeliveryStatusEnum)
  status!: DeliveryStatusEnum;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Int, { nullable: true, description: 'HTTP status of the last attempt; null before one, or when no response came.' })
  responseStatus!: number | null;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed.' })
  lastError!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  nextAttemptAt!: number | null;

  @Field(() => DateTimeScalar)
  createdAt!: number;

  @Field(() => DateTimeScalar, { nullable: true })
  deliveredAt!: number | null;
}

@ObjectType()
export class WebhookDeliveryConnection extends Connection(WebhookDelivery, 'WebhookDelivery') {}

@ObjectType({ description: 'An HTTPS endpoint told of events in one workspace, signed per Standard Webhooks. Its secret is never readable.' })
export class Webhook {
  @Field(() => ID)
  id!: string;

  @Field()
  workspace!: string;

  @Field()
  url!: string;

  @Field(() => [WebhookEventEnum])
  events!: WebhookEventEnum[];

  @Field()
  active!: boolean;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => String, { nullable: true, description: 'Only events of this project (run events and alerts).' })
  filterProject!: string | null;

  @Field(() => String, { nullable: true, description: 'Only events of this registered model (registry events).' })
  filterModelName!: string | null;

  @Field(() => String, { nullable: true, description: 'Why the gateway disabled it (410, or failing too long); null otherwise.' })
  disabledReason!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: number;
}

@ObjectType({ description: 'Fires once per run when the run\'s metric summary crosses the threshold (a METRIC_ALERT event).' })
export class MetricAlert {
  @Field(() => ID)
  id!: string;

  @Field()
  workspace!: string;

  @Field()
  project!: string;

  @Field()
  metric!: string;

  @Field(() => MetricAggregateEnum)
  aggregate!: MetricAggregateEnum;

  @Field(() => ComparisonEnum)
  op!: ComparisonEnum;

  @Field(() => Float)
  value!: number;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: number;
}

@ObjectType()
export class CreateWebhookPayload {
  @Field(() => Webhook)
  webhook!: Webhook;

  @Field({ description: 'The signing secret (`whsec_` + base64). Shown this once: it cannot be read again.' })
  secret!: string;
}

@ObjectType()
export class WebhookPayload {
  @Field(() => Webhook)
  webhook!: Webhook;
}

@ObjectType()
export class DeleteWebhookPayload {
  @Field(() => ID)
  deletedId!: string;
}

@ObjectType()
export class MetricAlertPayload {
  @Field(() => MetricAlert)
  metricAlert!: MetricAlert;
}

@ObjectType()
export class DeleteMetricAlertPayload {
  @Field(() => ID)
  deletedId!: string;
}
