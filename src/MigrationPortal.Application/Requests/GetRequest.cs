using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Execution.Itinerary;
using Microsoft.Extensions.Options;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Requests;

/// <summary>
/// One request with its timeline, decisions, itinerary and live progress, and the actions the caller may take on it now.
/// 404 if unknown, 403 if not the user's.
/// </summary>
public sealed class GetRequest(IPortalDb db, AccessGuard guard, RequestActionRules rules, MigrationPlanner planner, ItineraryCatalog itineraries, IConnectorKinds kinds,
    TimeProvider time, IOptions<ExecutionOptions> execution)
{
    public async Task<RequestDetails> HandleAsync(PortalUser user, Guid id, CancellationToken ct = default)
    {
        var request = await db.LoadRequestAsync(id, ct);
        await guard.RequireCanViewAsync(user, request, ct);
        var progress = await db.Progress.AsNoTracking().FirstOrDefaultAsync(p => p.RequestId == id, ct);
        // A refused cancel lives in the audit trail (the hypervisor's reason included); the page shows the latest one.
        var refusal = await db.AuditEvents.AsNoTracking().Where(e => e.RequestId == id && e.Action == AuditActions.RequestCancelRefused)
            .OrderByDescending(e => e.Sequence).Select(e => e.Details).FirstOrDefaultAsync(ct);
        // The safety copy is called what the source's kind calls it (a snapshot, a backup copy of each disk ...).
        var kind = await db.Connections.AsNoTracking().Where(c => c.Id == request.ConnectionId).Select(c => c.Kind).FirstOrDefaultAsync(ct);
        return request.ToDetails(progress, await rules.ForAsync(user, request, ct), await UpcomingStepsAsync(request, ct)) with
        {
            CancelRefusal = refusal is null ? null : MessageOf(refusal),
            SafetyCopy = kinds.Find(kind)?.SafetyCopy.Explanation,
            Conversion = await ConversionAsync(request, ct),
            Cancellation = await CancellationAsync(request, ct),
            StaleSince = await StaleSinceAsync(request, progress, ct),
            Watch = await PostMoveWatchView.ForAsync(db, user, request, ct),
        };
    }

    /// <summary>
    /// When the run of this request last proved it was alive, if that is longer ago than Execution:StaleAfter: its node
    /// died or hung, and the reconcile job (<see cref="ReconcileStaleMigrations"/>, the same rule) is taking it over.
    /// The page says so instead of showing the last progress as if it were live.
    /// </summary>
    private async Task<DateTimeOffset?> StaleSinceAsync(MigrationRequest request, MigrationProgress? progress, CancellationToken ct)
    {
        var leaseHeartbeat = await db.RunLeases.AsNoTracking().Where(l => l.RequestId == request.Id).Select(l => (DateTimeOffset?)l.HeartbeatAt).FirstOrDefaultAsync(ct);
        return ReconcileStaleMigrations.StaleSince(request.State, leaseHeartbeat, progress?.HeartbeatAt, request.StartedAt, time.GetUtcNow() - execution.Value.StaleAfter);
    }

    /// <summary>The person who cancelled (or asked a running request to stop) and their reason; null if nobody did.</summary>
    private async Task<CancellationView?> CancellationAsync(MigrationRequest request, CancellationToken ct)
    {
        if (!request.CancelRequested && request.State != RequestState.Cancelled) return null;
        var asked = await db.AuditEvents.AsNoTracking().Where(e => e.RequestId == request.Id && e.Action == AuditActions.RequestCancelRequested)
            .OrderByDescending(e => e.Sequence).Select(e => new { e.ActorName, e.Details, e.At }).FirstOrDefaultAsync(ct);
        if (asked is not null) return new CancellationView(asked.ActorName, ReasonOf(asked.Details), asked.At);
        // Cancelled before it ran: the transition itself names the person and the reason.
        var cancelled = request.Transitions.Where(t => t.To == RequestState.Cancelled).OrderByDescending(t => t.At).FirstOrDefault();
        return cancelled is null ? null : new CancellationView(cancelled.ActorName, cancelled.Reason, cancelled.At);
    }

    private static string ReasonOf(string details)
    {
        try
        {
            using var json = JsonDocument.Parse(details);
            return json.RootElement.TryGetProperty("reason", out var reason) && reason.GetString() is { } text ? text : details;
        }
        catch (JsonException)
        {
            return details;
        }
    }

    /// <summary>The conversion's choices and both identities; null for a move within one kind of hypervisor.</summary>
    private async Task<ConversionView?> ConversionAsync(MigrationRequest request, CancellationToken ct)
    {
        if (request.Conversion is not { } c) return null;
        var ids = new[] { request.ConnectionId, request.Target.ConnectionId };
        var names = await db.Connections.AsNoTracking().Where(x => ids.Contains(x.Id)).ToDictionaryAsync(x => x.Id, x => x.Name, ct);
        var defined = DefinedDomain(request);
        return new ConversionView(c.NetworkMapId, c.StorageMapId, c.KeepIdentity, c.AfterSuccess, c.Networks, c.Storage,
            new ConvertedSource(request.VmName, request.ConnectionId, names.GetValueOrDefault(request.ConnectionId)),
            defined is null ? null : new ConvertedDomain(defined.Name, defined.Uuid, defined.HostId, request.Target.ConnectionId, names.GetValueOrDefault(request.Target.ConnectionId)),
            request.Target.ConnectionId, names.GetValueOrDefault(request.Target.ConnectionId));
    }

    /// <summary>
    /// What the define-domain step saved about the new domain. Read defensively: a page must show the request even if a
    /// release saved that data in another shape.
    /// </summary>
    private static DefinedDomainData? DefinedDomain(MigrationRequest request)
    {
        try
        {
            var data = RunJournal.StepData<DefinedDomainData>(request, ItinerarySteps.DefineDomain);
            return data is { Name: null, Uuid: null } ? null : data;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record DefinedDomainData(string? Name, string? Uuid, string? HostId);

    /// <summary>
    /// The steps still ahead of a request that can still run, in its itinerary's order: a step's row is made only when it
    /// starts, so the timeline shows the rest as Pending from the itinerary itself, never from stored rows.
    /// </summary>
    private async Task<IReadOnlyList<string>> UpcomingStepsAsync(MigrationRequest request, CancellationToken ct)
    {
        if (!RequestTransitions.IsActive(request.State) && request.State != RequestState.Draft) return [];
        var plan = await planner.DescribeAsync(request, ct);
        return plan is null ? [] : itineraries.For(plan).All.Where(s => s.AppliesTo(plan)).Select(s => s.Name).ToList();
    }

    private static string MessageOf(string details)
    {
        try
        {
            using var json = JsonDocument.Parse(details);
            return json.RootElement.TryGetProperty("message", out var message) && message.GetString() is { } text ? text : details;
        }
        catch (JsonException)
        {
            return details;
        }
    }
}
