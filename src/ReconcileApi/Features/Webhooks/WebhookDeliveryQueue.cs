using Hangfire;

namespace ReconcileApi.Features.Webhooks;

/// <summary>
/// Enqueues delivery jobs; they run on the <c>webhooks</c> queue (<see cref="WebhookDeliveryJob.DeliverAsync"/>'s
/// <see cref="QueueAttribute"/>), which a Hangfire server of its own serves, so a backlog of slow targets never
/// delays runs. The attempt number is part of the job: one attempt of one number is ever made.
/// </summary>
public sealed class WebhookDeliveryQueue(IBackgroundJobClient jobs)
{
    public const string Name = "webhooks";

    public void Enqueue(Guid deliveryId, int attempt) =>
        jobs.Enqueue<WebhookDeliveryJob>(job => job.DeliverAsync(deliveryId, attempt, CancellationToken.None));

    public void Schedule(Guid deliveryId, int attempt, TimeSpan delay) =>
        jobs.Schedule<WebhookDeliveryJob>(job => job.DeliverAsync(deliveryId, attempt, CancellationToken.None), delay);
}
