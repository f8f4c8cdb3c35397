using System.Diagnostics;
using System.Diagnostics.Metrics;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Telemetry;

/// <summary>
/// The portal's own traces and metrics, by .NET's built-in <see cref="ActivitySource"/> and <see cref="Meter"/>, so the
/// Application layer needs no OpenTelemetry package; the web host subscribes to both by <see cref="Name"/> and exports
/// them (OTLP, Prometheus). Labels are kept to a few values each (kind, connection name, outcome, a step name): never a
/// request ID, a VM name or a message, which would make a series per request and could carry what operators typed.
/// </summary>
public static class PortalTelemetry
{
    /// <summary>The name of the portal's ActivitySource and Meter.</summary>
    public const string Name = "MigrationPortal";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    /// <summary>Runs executing on this node; summed over the nodes, the migrations in flight (a crashed node's runs leave with it).</summary>
    public static readonly UpDownCounter<long> InFlight = Meter.CreateUpDownCounter<long>(
        "migrationportal.migrations.in_flight", "{migration}", "Migrations being run by this node, by kind and source connection.");

    public static readonly Counter<long> Finished = Meter.CreateCounter<long>(
        "migrationportal.migrations.finished", "{migration}", "Migrations that reached an end (Succeeded, Failed, Cancelled, RolledBack).");

    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "migrationportal.migration.duration", "s", "From the start of a migration to its end, by kind and outcome.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400] });

    public static readonly Histogram<double> Downtime = Meter.CreateHistogram<double>(
        "migrationportal.migration.downtime", "s", "The VM's downtime (switch-over) of a succeeded migration, as the hypervisor reported it.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300] });

    public static readonly Counter<long> BytesTransferred = Meter.CreateCounter<long>(
        "migrationportal.migration.transferred", "By", "Bytes the hypervisor reported moved by finished migrations.");

    public static readonly Histogram<double> QueueWait = Meter.CreateHistogram<double>(
        "migrationportal.migration.queue_wait", "s", "From when a migration could start (approved, and its scheduled time reached) to when it started.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 14400, 86400] });

    public static readonly Counter<long> Failures = Meter.CreateCounter<long>(
        "migrationportal.migration.failures", "{migration}", "Failed migrations and roll backs, by kind and reason (the step that failed).");

    public static readonly Counter<long> AuditVerifications = Meter.CreateCounter<long>(
        "migrationportal.audit.verifications", "{verification}", "Audit chain verifications, by result (intact or broken).");

    /// <summary>The labels of a migration: its kind and the connection it moves from.</summary>
    public static TagList Tags(MigrationKind kind, string connection) => new() { { "kind", kind.ToString() }, { "connection", connection } };

    /// <summary>Counts a run in flight until disposed.</summary>
    public static IDisposable TrackInFlight(MigrationPlan plan)
    {
        var tags = Tags(plan.Kind, plan.Source.Name);
        InFlight.Add(1, tags);
        return new Untrack(tags);
    }

    /// <summary>
    /// Starts the span of one run of a request (a Hangfire job) as the root of its own trace: a run is one unit of work
    /// however it was queued, and the HTTP call that queued it, if any, is linked rather than made its parent.
    /// </summary>
    public static Activity? StartRun(Guid requestId)
    {
        var caller = Activity.Current;
        Activity.Current = null;
        var links = caller is null ? null : new[] { new ActivityLink(caller.Context) };
        var run = Source.StartActivity("migration run", ActivityKind.Internal, default(ActivityContext), links: links);
        run?.SetTag("migration.request_id", requestId.ToString());
        if (run is null) Activity.Current = caller;
        return run;
    }

    /// <summary>Starts the span of one itinerary step, a child of the run's span.</summary>
    public static Activity? StartStep(string step, bool reconcile)
    {
        var span = Source.StartActivity($"step {step}");
        span?.SetTag("migration.step", step);
        if (reconcile) span?.SetTag("migration.step.reconcile", true);
        return span;
    }

    /// <summary>Marks a step's span with how the step ended; a failed step is an error span with the hypervisor's words.</summary>
    public static void EndStep(Activity? span, StepStatus status, string? message)
    {
        if (span is null) return;
        span.SetTag("migration.step.status", status.ToString());
        if (status == StepStatus.Failed) span.SetStatus(ActivityStatusCode.Error, message);
    }

    /// <summary>
    /// Records a finished migration: its duration, downtime and bytes, and a failure with its reason (the step that failed).
    /// Called once per request, where the run gives the request its final state.
    /// </summary>
    public static void RecordFinished(MigrationRequest request, string connection, long? bytes, string? failedAt)
    {
        var tags = Tags(request.Kind, connection);
        tags.Add("outcome", request.State.ToString());
        Finished.Add(1, tags);
        if (request.StartedAt is { } started && request.CompletedAt is { } completed)
            Duration.Record(Math.Max(0, (completed - started).TotalSeconds), tags);
        if (request.State == RequestState.Succeeded && request.DowntimeMs is { } downtime)
            Downtime.Record(downtime / 1000.0, Tags(request.Kind, connection));
        if (bytes is > 0) BytesTransferred.Add(bytes.Value, Tags(request.Kind, connection));
        if (request.State is RequestState.Failed)
        {
            var failure = Tags(request.Kind, connection);
            failure.Add("reason", failedAt ?? "unknown");
            Failures.Add(1, failure);
        }

        Activity.Current?.SetTag("migration.outcome", request.State.ToString());
    }

    /// <summary>
    /// Records how long a request that just started waited for a free slot: from its approval (or its scheduled time,
    /// when later) to its start. Waiting for a chosen window is not queue wait.
    /// </summary>
    public static void RecordQueueWait(MigrationRequest request, string connection)
    {
        if (request.StartedAt is not { } started) return;
        var approved = request.Transitions.Where(t => t.To == RequestState.Approved).Select(t => (DateTimeOffset?)t.At).Max();
        if (approved is not { } ready) return;
        if (request.ScheduledFor is { } scheduled && scheduled > ready) ready = scheduled;
        QueueWait.Record(Math.Max(0, (started - ready).TotalSeconds), Tags(request.Kind, connection));
    }

    /// <summary>Records the end of a roll back: the outcome, and a failure with reason "rollback" when the hypervisor refused it.</summary>
    public static void RecordRollback(MigrationRequest request, string connection)
    {
        var tags = Tags(request.Kind, connection);
        tags.Add("outcome", request.State.ToString());
        Finished.Add(1, tags);
        if (request.State != RequestState.Failed) return;
        var failure = Tags(request.Kind, connection);
        failure.Add("reason", ItinerarySteps.RollBack);
        Failures.Add(1, failure);
    }

    public static void RecordAuditVerification(bool intact) =>
        AuditVerifications.Add(1, new KeyValuePair<string, object?>("result", intact ? "intact" : "broken"));

    private sealed class Untrack(TagList tags) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) InFlight.Add(-1, tags);
        }
    }
}
