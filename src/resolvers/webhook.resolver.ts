/** Webhooks and metric alerts: mutations, a workspace's lists, a webhook's delivery history. */
import { Arg, Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Workspace as WorkspaceData } from '../backends/port';
import { BadUserInputError } from '../errors';
import type { MetricAlertRow } from '../notify/outbox';
import type { NotifyService } from '../notify/service';
import type { DeliveryRow, WebhookRow } from '../notify/store';
import { WIRE_TYPE } from '../notify/events';
import type { ComparisonEnum, MetricAggregateEnum } from '../schema/enums';
import {
  CreateMetricAlertInput, CreateWebhookInput, MetricAlertIdInput, UpdateWebhookInput, WebhookDeliveryIdInput, WebhookIdInput,
} from '../schema/webhook.input';
import {
  CreateWebhookPayload, DeleteMetricAlertPayload, DeleteWebhookPayload, DeliveryStatusEnum, MetricAlert, MetricAlertPayload, Webhook,
  WebhookDelivery, WebhookDeliveryConnection, WebhookEventEnum, WebhookPayload,
} from '../schema/webhook.type';
import { Workspace } from '../schema/workspace.type';
import { PageArgs } from './args';
import type { RequestContext } from './context';

function service(ctx: RequestContext): NotifyService {
  if (!ctx.services.notify) throw new BadUserInputError('This gateway runs without webhooks');
  return ctx.services.notify;
}

export function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id, workspace: row.workspace, url: row.url, events: JSON.parse(row.events) as WebhookEventEnum[], active: row.active === 1,
    description: row.description, filterProject: row.filter_project, filterModelName: row.filter_model,
    disabledReason: row.disabled_reason, createdAt: row.created_at,
  };
}

export function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id, event: row.kind === 'EMAIL' ? 'email' : WIRE_TYPE[row.kind], messageId: row.event_id, status: row.status as DeliveryStatusEnum,
    attempts: row.attempts, responseStatus: row.response_status, lastError: row.last_error,
    nextAttemptAt: row.status === 'PENDING' ? row.next_attempt_at : null, createdAt: row.created_at, deliveredAt: row.delivered_at,
  };
}

function toAlert(row: MetricAlertRow): MetricAlert {
  return {
    id: row.id, workspace: row.workspace, project: row.project, metric: row.metric, aggregate: row.aggregate as MetricAggregateEnum,
    op: row.op as ComparisonEnum, value: row.value, name: row.name, createdAt: row.created_at,
  };
}

/** Cursors are the delivery's sequence number: newest first, stable while deliveries are added. */
const cursorOf = (seq: number): string => Buffer.from(`dlv:${seq}`).toString('base64url');
function seqOf(cursor: string | null | undefined): number {
  if (!cursor) return Number.MAX_SAFE_INTEGER;
  const match = /^dlv:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new BadUserInputError('after is not a cursor of this list', { field: 'after' });
  return Number(match[1]);
}

@Resolver(() => Webhook)
export class WebhookResolver {
  @FieldResolver(() => WebhookDeliveryConnection, { description: 'Newest first.' })
  deliveries(@Root() w: Webhook, @Args() page: PageArgs, @Ctx() ctx: RequestContext): WebhookDeliveryConnection {
    if (page.first < 1 || page.first > 100) throw new BadUserInputError('first must be between 1 and 100', { field: 'first' });
    const { rows, total, hasPrevious } = service(ctx).deliveries(w.id, page.first, seqOf(page.after));
    const items = rows.slice(0, page.first);
    const edges = items.map((r) => ({ node: toDelivery(r), cursor: cursorOf(r.seq) }));
    return {
      edges, nodes: edges.map((e) => e.node), totalCount: total,
      pageInfo: { hasNextPage: rows.length > page.first, hasPreviousPage: hasPrevious, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }
}

@Resolver(() => Workspace)
export class WorkspaceHooksResolver {
  @FieldResolver(() => [Webhook], { description: 'Needs the admin role on the workspace.' })
  async webhooks(@Root() w: WorkspaceData, @Ctx() ctx: RequestContext): Promise<Webhook[]> {
    return (await service(ctx).webhooks(ctx.caller, w.name)).map(toWebhook);
  }

  @FieldResolver(() => [MetricAlert], { description: 'Needs the admin role on the workspace.' })
  async metricAlerts(@Root() w: WorkspaceData, @Ctx() ctx: RequestContext): Promise<MetricAlert[]> {
    return (await service(ctx).alerts(ctx.caller, w.name)).map(toAlert);
  }
}

@Resolver()
export class WebhookMutations {
  @Mutation(() => CreateWebhookPayload, { description: 'Needs admin on the workspace. The secret is in this answer only.' })
  async createWebhook(@Arg('input') input: CreateWebhookInput, @Ctx() ctx: RequestContext) {
    const { webhook, secret } = await service(ctx).createWebhook(ctx.caller, input);
    return { webhook: toWebhook(webhook), secret };
  }

  @Mutation(() => WebhookPayload)
  async updateWebhook(@Arg('input') input: UpdateWebhookInput, @Ctx() ctx: RequestContext) {
    return { webhook: toWebhook(await service(ctx).updateWebhook(ctx.caller, input)) };
  }

  @Mutation(() => CreateWebhookPayload, { description: 'A new secret; the old one keeps signing (a second signature) for 24 hours.' })
  async rotateWebhookSecret(@Arg('input') input: WebhookIdInput, @Ctx() ctx: RequestContext) {
    const { webhook, secret } = await service(ctx).rotateSecret(ctx.caller, input.id);
    return { webhook: toWebhook(webhook), secret };
  }

  @Mutation(() => DeleteWebhookPayload)
  async deleteWebhook(@Arg('input') input: WebhookIdInput, @Ctx() ctx: RequestContext) {
    return { deletedId: await service(ctx).deleteWebhook(ctx.caller, input.id) };
  }

  @Mutation(() => WebhookDelivery, { description: 'Sends a `webhook.test` event now; the answer is the delivery after that attempt.' })
  async testWebhook(@Arg('input') input: WebhookIdInput, @Ctx() ctx: RequestContext) {
    return toDelivery(await service(ctx).testWebhook(ctx.caller, input.id));
  }

  @Mutation(() => WebhookDelivery, { description: 'Sends a delivery\'s event again now (same body, same webhook-id), as a new delivery.' })
  async redeliverWebhook(@Arg('input') input: WebhookDeliveryIdInput, @Ctx() ctx: RequestContext) {
    return toDelivery(await service(ctx).redeliver(ctx.caller, input.id));
  }

  @Mutation(() => MetricAlertPayload, { description: 'Needs admin on the workspace.' })
  async createMetricAlert(@Arg('input') input: CreateMetricAlertInput, @Ctx() ctx: RequestContext) {
    return { metricAlert: toAlert(await service(ctx).createAlert(ctx.caller, { ...input, name: input.name ?? null })) };
  }

  @Mutation(() => DeleteMetricAlertPayload)
  async deleteMetricAlert(@Arg('input') input: MetricAlertIdInput, @Ctx() ctx: RequestContext) {
    return { deletedId: await service(ctx).deleteAlert(ctx.caller, input.id) };
  }
}
