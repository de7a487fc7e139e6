/** Inputs of the webhook, alert and notification mutations; checked in src/notify/service.ts. */
import { Field, Float, ID, InputType } from 'type-graphql';
import { ComparisonEnum, MetricAggregateEnum } from './enums';
import { WebhookEventEnum } from './webhook.type';

@InputType()
export class WebhookFilterInput {
  @Field(() => String, { nullable: true })
  project?: string | null;

  @Field(() => String, { nullable: true })
  modelName?: string | null;
}

@InputType()
export class CreateWebhookInput {
  @Field()
  workspace!: string;

  @Field({ description: 'http(s) URL; private, loopback and link-local addresses are refused unless TRACKQL_WEBHOOK_ALLOW_PRIVATE=true.' })
  url!: string;

  @Field(() => [WebhookEventEnum])
  events!: WebhookEventEnum[];

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => WebhookFilterInput, { nullable: true })
  filter?: WebhookFilterInput | null;
}

@InputType({ description: 'Fields left out stay as they are.' })
export class UpdateWebhookInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => [WebhookEventEnum], { nullable: true })
  events?: WebhookEventEnum[] | null;

  @Field(() => Boolean, { nullable: true, description: 'true re-enables a disabled endpoint.' })
  active?: boolean | null;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@InputType()
export class WebhookIdInput {
  @Field(() => ID)
  id!: string;
}

@InputType()
export class WebhookDeliveryIdInput {
  @Field(() => ID)
  id!: string;
}

@InputType()
export class CreateMetricAlertInput {
  @Field()
  workspace!: string;

  @Field()
  project!: string;

  @Field()
  metric!: string;

  @Field(() => MetricAggregateEnum, { defaultValue: MetricAggregateEnum.LAST })
  aggregate!: MetricAggregateEnum;

  @Field(() => ComparisonEnum)
  op!: ComparisonEnum;

  @Field(() => Float)
  value!: number;

  @Field(() => String, { nullable: true })
  name?: string | null;
}

@InputType()
export class MetricAlertIdInput {
  @Field(() => ID)
  id!: string;
}

@InputType({ description: 'Email a summary when the run ends (needs TRACKQL_SMTP_URL).' })
export class NotifyInput {
  @Field(() => [String])
  emails!: string[];

  @Field(() => [String], { nullable: true, description: 'Asset ids of the run to attach, at most 10 MB in total.' })
  attachAssets?: string[] | null;
}
