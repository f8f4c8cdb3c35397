using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Common;

namespace MigrationPortal.Domain.Requests;

/// <summary>
/// A request to move one VM. Its state changes only through the methods below, each checked against
/// <see cref="RequestTransitions"/> and recorded as a <see cref="Transition"/> with actor, time and reason.
/// <see cref="Version"/> is the optimistic-concurrency token: two approvers saving at once cannot both win.
/// </summary>
public sealed class MigrationRequest
{
    private readonly List<Transition> _transitions = [];
    private readonly List<Decision> _decisions = [];
    private readonly List<MigrationStep> _steps = [];

    private MigrationRequest() { }

    public MigrationRequest(
        Guid vmId, string vmName, Guid connectionId, Guid? applicationId, string? applicationName,
        string? sourceHostName, string? sourceDatastoreName,
        MigrationKind kind, bool live, MigrationTarget target, ScheduleWish schedule, string justification,
        MigrationOptions options, Actor requester, DateTimeOffset now, Guid? batchId = null, bool isDemo = false, ConversionSettings? conversion = null)
    {
        if (string.IsNullOrWhiteSpace(justification)) throw new DomainException("A justification is required.");
        if (kind.MovesCompute() && target.HostId is null) throw new DomainException("A compute move needs a target host.");
        // A conversion's disks go to the pools its storage map names, disk by disk, not to one target datastore.
        if (kind.MovesStorage() && kind != MigrationKind.CrossPlatform && target.DatastoreId is null) throw new DomainException("A storage move needs a target datastore or pool.");
        if ((kind == MigrationKind.CrossPlatform) != (conversion is not null))
            throw new DomainException(conversion is null ? "A cross-platform move needs its network and storage mappings." : "Only a cross-platform move takes conversion settings.");

        Id = Guid.NewGuid();
        VmId = vmId;
        VmName = vmName;
        ConnectionId = connectionId;
        ApplicationId = applicationId;
        ApplicationName = applicationName;
        SourceHostName = sourceHostName;
        SourceDatastoreName = sourceDatastoreName;
        Kind = kind;
        Live = live;
        Target = target;
        Schedule = schedule;
        Justification = justification.Trim();
        Options = options;
        RequesterId = requester.Id;
        RequesterName = requester.Name;
        BatchId = batchId;
        IsDemo = isDemo;
        Conversion = conversion;
        CreatedAt = now;
        State = RequestState.Draft;
        // No step rows yet: each is made when its step starts (ItinerarySteps), so a release that changes the itinerary
        // never finds rows it does not know, or misses rows it needs, on a request already in flight.
    }

    public Guid Id { get; private set; }
    public Guid VmId { get; private set; }
    public string VmName { get; private set; } = "";
    public Guid ConnectionId { get; private set; }
    public Guid? ApplicationId { get; private set; }
    public string? ApplicationName { get; private set; }
    public string? SourceHostName { get; private set; }
    public string? SourceDatastoreName { get; private set; }
    public MigrationKind Kind { get; private set; }
    public bool Live { get; private set; }
    public MigrationTarget Target { get; private set; } = null!;
    public ScheduleWish Schedule { get; private set; } = ScheduleWish.AsSoonAsApproved;
    public string Justification { get; private set; } = "";
    public MigrationOptions Options { get; private set; } = new();

    /// <summary>A cross-platform request's maps and options; null for a move within one kind of hypervisor.</summary>
    public ConversionSettings? Conversion { get; private set; }
    public string RequesterId { get; private set; } = "";
    public string RequesterName { get; private set; } = "";
    public Guid? BatchId { get; private set; }
    public bool IsDemo { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    public RequestState State { get; private set; }
    public int Version { get; private set; }

    public int RequiredApprovals { get; private set; }
    public string? ApproverGroup { get; private set; }
    public string? PolicyReason { get; private set; }
    public DateTimeOffset? ExpiresAt { get; private set; }
    public DateTimeOffset? ScheduledFor { get; private set; }

    /// <summary>The hypervisor's handle for the running transfer (vCenter task ID, libvirt job); kept so a restarted node can reconcile.</summary>
    public string? OperationId { get; private set; }

    /// <summary>
    /// When this run decided to start the transfer, saved before the start call. Found without an <see cref="OperationId"/>,
    /// it means the start call may have reached the hypervisor: the run asks the hypervisor before it starts anything.
    /// </summary>
    public DateTimeOffset? TransferIntentAt { get; private set; }

    /// <summary>Why the request waits for an Operator (<see cref="RequestState.NeedsAttention"/>); null otherwise.</summary>
    public string? AttentionReason { get; private set; }
    public string? SnapshotId { get; private set; }
    public bool CancelRequested { get; private set; }
    public string? EncryptionApplied { get; private set; }

    /// <summary>The guest's pause at switch-over as the hypervisor reports it (QEMU's downtime), when it reports one.</summary>
    public long? DowntimeMs { get; private set; }
    public string? FailureReason { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }

    /// <summary>How long the move should take, and how that was worked out (data size, throughput and where it came from).</summary>
    public int? EstimatedSeconds { get; private set; }
    public string? EstimateBasis { get; private set; }

    /// <summary>The data the estimate assumed moves (memory and/or disk), so finished moves yield a measured throughput.</summary>
    public long? EstimatedBytes { get; private set; }

    /// <summary>When the dispatcher plans to start it (window start, or after a deferral); null while it is due now.</summary>
    public DateTimeOffset? PlannedStart { get; private set; }

    /// <summary>Why an approved request has not started yet ("Queued: waiting for host esx-01 (8/8 in use)"), persisted so every node shows it.</summary>
    public string? QueueReason { get; private set; }

    public IReadOnlyList<Transition> Transitions => _transitions;
    public IReadOnlyList<Decision> Decisions => _decisions;
    public IReadOnlyList<MigrationStep> Steps => _steps;

    public int ApprovalCount => _decisions.Count(d => d.Verdict == Verdict.Approve);

    /// <summary>Submits a draft and applies the approval policy's verdict at once.</summary>
    public void Submit(Actor actor, DateTimeOffset now, ApprovalRequirement requirement, TimeSpan expireAfter)
    {
        Submit(actor, now);
        ApplyPolicy(requirement, now, expireAfter);
    }

    public void Submit(Actor actor, DateTimeOffset now) => Move(RequestState.Submitted, actor, now, "Submitted for approval.");

    /// <summary>The policy's verdict on a submitted request: approved now, or waiting for the named approvals until it expires.</summary>
    public void ApplyPolicy(ApprovalRequirement requirement, DateTimeOffset now, TimeSpan expireAfter)
    {
        if (State != RequestState.Submitted) throw new DomainException($"The approval policy applies to submitted requests; this one is {State}.");
        PolicyReason = requirement.Reason;
        if (requirement.IsAutoApproved)
        {
            RequiredApprovals = 0;
            Move(RequestState.Approved, Actor.System, now, requirement.Reason);
            return;
        }

        RequiredApprovals = requirement.RequiredApprovals;
        ApproverGroup = requirement.ApproverGroup;
        ExpiresAt = now + expireAfter;
        Move(RequestState.PendingApproval, Actor.System, now, requirement.Reason);
    }

    /// <summary>Records one approval; the request becomes Approved when enough distinct people have approved.</summary>
    public void Approve(Actor approver, string comment, DateTimeOffset now)
    {
        RequireDecisionAllowed(approver, comment);
        _decisions.Add(new Decision(approver.Id, approver.Name, Verdict.Approve, comment.Trim(), now));
        Touch();
        if (ApprovalCount >= RequiredApprovals)
            Move(RequestState.Approved, approver, now, $"Approved ({ApprovalCount} of {RequiredApprovals}): {comment.Trim()}");
    }

    public void Reject(Actor approver, string comment, DateTimeOffset now)
    {
        RequireDecisionAllowed(approver, comment);
        _decisions.Add(new Decision(approver.Id, approver.Name, Verdict.Reject, comment.Trim(), now));
        Move(RequestState.Rejected, approver, now, $"Rejected: {comment.Trim()}");
    }

    public bool IsOverdue(DateTimeOffset now) => State == RequestState.PendingApproval && ExpiresAt is { } e && e <= now;

    public void Expire(DateTimeOffset now)
    {
        if (!IsOverdue(now)) throw new DomainException("Only a pending request past its expiry time can expire.");
        Move(RequestState.Expired, Actor.System, now, $"No decision before {ExpiresAt:u}.");
    }

    public void RecordEstimate(TimeSpan estimate, long bytes, string basis)
    {
        var seconds = (int)Math.Ceiling(estimate.TotalSeconds);
        if (EstimatedSeconds == seconds && EstimatedBytes == bytes && EstimateBasis == basis) return;
        EstimatedSeconds = seconds;
        EstimatedBytes = bytes;
        EstimateBasis = basis;
        Touch();
    }

    /// <summary>Records why a request not yet started waits, and when it should start; returns false when nothing changed.</summary>
    public bool RecordWaiting(string? reason, DateTimeOffset? plannedStart)
    {
        RequireState(RequestState.Draft, RequestState.Submitted, RequestState.PendingApproval, RequestState.Approved);
        if (QueueReason == reason && PlannedStart == plannedStart) return false;
        QueueReason = reason;
        PlannedStart = plannedStart;
        Touch();
        return true;
    }

    public void ScheduleFor(DateTimeOffset start, Actor actor, DateTimeOffset now, string reason)
    {
        ScheduledFor = start;
        PlannedStart = start;
        QueueReason = null;
        Move(RequestState.Scheduled, actor, now, reason);
    }

    public void Start(DateTimeOffset now)
    {
        Move(RequestState.Running, Actor.System, now, "Migration started.");
        StartedAt = now;
        FailureReason = null;
        OperationId = null;
        TransferIntentAt = null;
        AttentionReason = null;
        CancelRequested = false;
        // A retry runs the whole itinerary again: the last attempt's rows go (its audit events stay).
        _steps.Clear();
    }

    /// <summary>Starts a step, making its row when it has none (rows are made as steps start, in the order they run).</summary>
    public void StartStep(string name, DateTimeOffset now)
    {
        RequireState(RequestState.Running, RequestState.Verifying, RequestState.RollingBack);
        StepOrNew(name).Start(now);
        Touch();
    }

    public void EndStep(string name, StepStatus status, DateTimeOffset now, string? message = null)
    {
        StepOrNew(name).End(status, now, message);
        Touch();
    }

    /// <summary>
    /// Saves what a step must find again if its run is interrupted (the lease it opened, the volumes it made, the power
    /// state it stored), as JSON on the step's row: a resumed run reads it instead of asking twice or making twice.
    /// </summary>
    public void RecordStepData(string name, string data)
    {
        RequireState(RequestState.Running, RequestState.Verifying, RequestState.RollingBack);
        StepOrNew(name).RecordData(data);
        Touch();
    }

    /// <summary>The step's row, if it has started (or is one of the Pending rows made at submission by older releases).</summary>
    public MigrationStep? FindStep(string name) => _steps.FirstOrDefault(s => s.Name == name);

    /// <summary>Saved before the transfer's start call, so a run that finds it without an operation ID asks the hypervisor first.</summary>
    public void RecordTransferIntent(DateTimeOffset now)
    {
        RequireState(RequestState.Running);
        if (OperationId is not null) throw new DomainException($"The transfer already runs as operation {OperationId}.");
        TransferIntentAt = now;
        Touch();
    }

    public void RecordOperation(string operationId)
    {
        RequireState(RequestState.Running);
        OperationId = operationId;
        Touch();
    }

    /// <summary>
    /// The run cannot tell whether the hypervisor started the transfer, so it stops rather than start a second one. The
    /// request keeps its VM and its capacity until an Operator has looked (<see cref="Recheck"/>).
    /// </summary>
    public void RequireAttention(DateTimeOffset now, string reason)
    {
        Move(RequestState.NeedsAttention, Actor.System, now, reason);
        AttentionReason = reason;
    }

    /// <summary>An Operator asks the run to ask the hypervisor again; the run resumes where it stopped.</summary>
    public void Recheck(Actor actor, DateTimeOffset now, string reason)
    {
        if (!CanRecheck) throw new DomainException($"Only a request that needs attention can be checked again; this one is {State}.");
        Move(RequestState.Running, actor, now, $"Check again: {reason}");
        AttentionReason = null;
    }

    public bool CanRecheck => State == RequestState.NeedsAttention;

    public void RecordSnapshot(string? snapshotId)
    {
        SnapshotId = snapshotId;
        Touch();
    }

    public void RecordEncryption(string description)
    {
        EncryptionApplied = description;
        Touch();
    }

    public void RecordDowntime(TimeSpan downtime)
    {
        DowntimeMs = (long)Math.Round(downtime.TotalMilliseconds);
        Touch();
    }

    public void BeginVerify(DateTimeOffset now) => Move(RequestState.Verifying, Actor.System, now, "Transfer finished; verifying placement.");

    public void Succeed(DateTimeOffset now, string reason)
    {
        Move(RequestState.Succeeded, Actor.System, now, reason);
        CompletedAt = now;
    }

    public void Fail(DateTimeOffset now, string reason)
    {
        Move(RequestState.Failed, Actor.System, now, reason);
        FailureReason = reason;
        CompletedAt = now;
    }

    /// <summary>
    /// Cancels a request that has not started, or, for a running one, asks the job to stop the transfer.
    /// Returns true when the request is now Cancelled; false when the running job must finish the cancel.
    /// </summary>
    public bool Cancel(Actor actor, DateTimeOffset now, string reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new DomainException("A reason is required to cancel.");
        if (State == RequestState.Running)
        {
            if (CancelRequested) throw new DomainException("Cancellation has already been requested.");
            CancelRequested = true;
            Touch();
            return false;
        }

        Move(RequestState.Cancelled, actor, now, reason.Trim());
        CompletedAt = now;
        return true;
    }

    /// <summary>The job has stopped the transfer after a cancel request; the VM stays where it was.</summary>
    public void ConfirmCancelled(DateTimeOffset now, string reason)
    {
        Move(RequestState.Cancelled, Actor.System, now, reason);
        CompletedAt = now;
    }

    /// <summary>
    /// Whether a cancel is possible now: a request not yet running is cancelled at once; a running one is asked to stop
    /// (once). Verifying and rolling back cannot be cancelled: the VM has already moved.
    /// </summary>
    public bool CanCancel => State == RequestState.Running ? !CancelRequested : RequestTransitions.IsAllowed(State, RequestState.Cancelled);

    /// <summary>Only a failed request is retried; the transition table alone would also let a pending one skip its approval.</summary>
    public bool CanRetry => State == RequestState.Failed;

    /// <summary>Only a finished move is rolled back; a running one is cancelled instead (the transition table alone would allow it).</summary>
    public bool CanRollBack => RequestTransitions.Finished.Contains(State);

    /// <summary>Whether this person may still approve or reject: the request waits for a decision, is not theirs, and they have not decided yet.</summary>
    public bool CanBeDecidedBy(string personId) =>
        State == RequestState.PendingApproval && personId != RequesterId && _decisions.All(d => d.ApproverId != personId);

    public void Retry(Actor actor, DateTimeOffset now, string reason)
    {
        if (!CanRetry) throw new DomainException($"Only a failed request can be retried; this one is {State}.");
        Move(RequestState.Approved, actor, now, $"Retry: {reason}");
        FailureReason = null;
        CompletedAt = null;
    }

    public void BeginRollback(Actor actor, DateTimeOffset now, string reason)
    {
        if (!CanRollBack)
            throw new DomainException($"Only a succeeded or failed request can be rolled back; this one is {State}. Cancel a running migration instead.");
        Move(RequestState.RollingBack, actor, now, reason);
    }

    public void CompleteRollback(DateTimeOffset now, string reason)
    {
        Move(RequestState.RolledBack, Actor.System, now, reason);
        CompletedAt = now;
    }

    public void FailRollback(DateTimeOffset now, string reason)
    {
        Move(RequestState.Failed, Actor.System, now, reason);
        FailureReason = reason;
    }

    private void RequireDecisionAllowed(Actor approver, string comment)
    {
        RequireState(RequestState.PendingApproval);
        if (approver.Id == RequesterId) throw new DomainException("You cannot decide on your own request.");
        if (_decisions.Any(d => d.ApproverId == approver.Id)) throw new DomainException("You have already decided on this request; a second approval must come from another person.");
        if (string.IsNullOrWhiteSpace(comment)) throw new DomainException("A comment is required with every decision.");
    }

    private void RequireState(params RequestState[] states)
    {
        if (!states.Contains(State)) throw new DomainException($"The request is {State}; this needs it to be {string.Join(" or ", states)}.");
    }

    private MigrationStep StepOrNew(string name)
    {
        if (FindStep(name) is { } step) return step;
        if (string.IsNullOrWhiteSpace(name)) throw new DomainException("A step needs a name.");
        step = new MigrationStep(name, _steps.Count == 0 ? 0 : _steps.Max(s => s.Order) + 1);
        _steps.Add(step);
        return step;
    }

    private void Move(RequestState to, Actor actor, DateTimeOffset now, string reason)
    {
        if (!RequestTransitions.IsAllowed(State, to)) throw new IllegalTransitionException(State.ToString(), to.ToString(), "A migration request");
        _transitions.Add(new Transition(State, to, actor.Id, actor.Name, now, reason));
        State = to;
        Touch();
    }

    private void Touch() => Version++;
}
