using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Requests;

public sealed record RequestSummary(Guid Id, string VmName, string? ApplicationName, MigrationKind Kind, bool Live, RequestState State,
    string Target, string RequesterName, DateTimeOffset CreatedAt, string? FailureReason, bool IsDemo, int Version, Guid? BatchId = null,
    string? QueueReason = null, DateTimeOffset? PlannedStart = null);

public sealed record TransitionView(RequestState From, RequestState To, string ActorName, DateTimeOffset At, string Reason);

public sealed record DecisionView(string ApproverName, Verdict Verdict, string Comment, DateTimeOffset At);

public sealed record StepView(string Name, StepStatus Status, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? Message);

public sealed record ProgressView(string Phase, double Percent, long? BytesTransferred, long? BytesTotal, int? EtaSeconds, DateTimeOffset UpdatedAt);

/// <summary>The VM a conversion starts from: its name and connection at submission.</summary>
public sealed record ConvertedSource(string VmName, Guid ConnectionId, string? ConnectionName);

/// <summary>The domain a conversion defined on the destination, as the define-domain step saved it.</summary>
public sealed record ConvertedDomain(string? Name, string? Uuid, string? HostId, Guid ConnectionId, string? ConnectionName);

/// <summary>
/// A cross-platform request's choices (the maps' entries as copied at submission, the options) and both identities of the
/// VM: the source, and the new domain once the define-domain step has made it.
/// </summary>
public sealed record ConversionView(
    Guid? NetworkMapId,
    Guid? StorageMapId,
    bool KeepIdentity,
    SourceAfterConversion AfterSuccess,
    IReadOnlyList<NetworkMapping> Networks,
    IReadOnlyList<StorageMapping> Storage,
    ConvertedSource Source,
    ConvertedDomain? Domain,
    Guid DestinationConnectionId,
    string? DestinationConnectionName);

public sealed record RequestDetails(
    RequestSummary Summary,
    string Justification,
    string? SourceHostName,
    string? SourceDatastoreName,
    MigrationOptions Options,
    ScheduleWish Schedule,
    DateTimeOffset? ScheduledFor,
    int RequiredApprovals,
    string? ApproverGroup,
    string? PolicyReason,
    DateTimeOffset? ExpiresAt,
    bool CancelRequested,
    string? EncryptionApplied,
    IReadOnlyList<TransitionView> Transitions,
    IReadOnlyList<DecisionView> Decisions,
    IReadOnlyList<StepView> Steps,
    ProgressView? Progress,
    AllowedActions Actions,
    int? EstimatedSeconds = null,
    string? EstimateBasis = null,
    string? CancelRefusal = null,
    string? AttentionReason = null,
    string? SafetyCopy = null,
    ConversionView? Conversion = null,
    CancellationView? Cancellation = null,
    DateTimeOffset? StaleSince = null,
    PostMoveWatchView? Watch = null);

/// <summary>
/// Who asked to cancel a request, why and when: a person's cancel of a running request is only a request to stop (its
/// final transition is the System's), so the person and the reason come from the audit trail.
/// </summary>
public sealed record CancellationView(string ActorName, string Reason, DateTimeOffset At);

public static class RequestViewMapping
{
    public static RequestSummary ToSummary(this MigrationRequest r) =>
        new(r.Id, r.VmName, r.ApplicationName, r.Kind, r.Live, r.State, r.Target.Describe(), r.RequesterName, r.CreatedAt, r.FailureReason, r.IsDemo, r.Version, r.BatchId,
            r.State == RequestState.Approved ? r.QueueReason : null, RequestTransitions.Waiting.Contains(r.State) ? r.PlannedStart : r.ScheduledFor);

    /// <param name="upcoming">The itinerary's steps that have not started yet, shown Pending; computed from the itinerary, not stored.</param>
    public static RequestDetails ToDetails(this MigrationRequest r, MigrationProgress? progress, AllowedActions actions, IReadOnlyList<string>? upcoming = null) =>
        new(r.ToSummary(), r.Justification, r.SourceHostName, r.SourceDatastoreName, r.Options, r.Schedule, r.ScheduledFor,
            r.RequiredApprovals, r.ApproverGroup, r.PolicyReason, r.ExpiresAt, r.CancelRequested, r.EncryptionApplied,
            r.Transitions.OrderBy(t => t.At).ThenBy(t => t.Id).Select(t => new TransitionView(t.From, t.To, t.ActorName, t.At, t.Reason)).ToList(),
            r.Decisions.OrderBy(d => d.At).Select(d => new DecisionView(d.ApproverName, d.Verdict, d.Comment, d.At)).ToList(),
            r.Steps.OrderBy(s => s.Order).Select(s => new StepView(s.Name, s.Status, s.StartedAt, s.EndedAt, s.Message))
                .Concat((upcoming ?? []).Where(name => r.Steps.All(s => s.Name != name)).Select(name => new StepView(name, StepStatus.Pending, null, null, null))).ToList(),
            progress is null ? null : new ProgressView(progress.Phase, progress.Percent, progress.BytesTransferred, progress.BytesTotal, progress.EtaSeconds, progress.UpdatedAt),
            actions, r.EstimatedSeconds, r.EstimateBasis, AttentionReason: r.AttentionReason);
}
