using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Requests;

/// <summary>
/// On whose authority a request is made: an application owner for their own VMs, or an Operator emptying a host for
/// maintenance (any VM on it, whoever owns it). Either way the approval policy applies to each request as usual.
/// </summary>
public enum SubmissionAuthority
{
    Owner,
    HostEvacuation,

    /// <summary>An accepted optimization recommendation: Operators and Administrators move any VM, as for an evacuation.</summary>
    Recommendation,
    /// <summary>An Operator moves a VM back after its post-move watch found a regression (whoever owns it).</summary>
    RegressionRollback,
}

/// <summary>
/// An application owner asks for one VM to move. The approval policy decides at once whether it is auto-approved
/// or which approvals it needs.
/// </summary>
public sealed partial class SubmitRequest(IPortalDb db, AccessGuard guard, TimeProvider time, IMigrationJobs jobs, IOptions<ApprovalOptions> approvalOptions,
    StartPlanner planner, DurationEstimator estimator, ConversionChoices conversions)
{
    /// <param name="TakeSnapshot">
    /// Whether a safety copy is taken first. Null takes the kind's default: yes for a move inside one hypervisor, no for a
    /// conversion, which never writes the source (so asking for one is refused rather than silently dropped).
    /// </param>
    public sealed record Command(
        Guid VmId,
        MigrationKind Kind,
        bool Live,
        string? TargetHostId,
        string? TargetDatastoreId,
        string Justification,
        ScheduleMode ScheduleMode = ScheduleMode.AsSoonAsApproved,
        DateTimeOffset? NotBefore = null,
        bool? TakeSnapshot = null,
        bool RequireEncryption = true,
        Guid? BatchId = null,
        Guid? WindowId = null,
        Guid? TargetConnectionId = null,
        Guid? NetworkMapId = null,
        Guid? StorageMapId = null,
        bool KeepIdentity = true,
        SourceAfterConversion AfterSuccess = SourceAfterConversion.KeepOffAndAnnotate);

    public async Task<RequestSummary> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        var summary = await PrepareAsync(user, command, ct);
        await db.SaveOrConflictAsync("The VM changed while you submitted. Reload and try again.", ct);
        AfterSave([summary]);
        return summary;
    }

    /// <summary>Tells the dispatcher about requests the policy approved at once. Call after the unit of work saved.</summary>
    public void AfterSave(IEnumerable<RequestSummary> saved)
    {
        if (saved.Any(s => s.State == RequestState.Approved)) jobs.NudgeDispatcher();
    }

    /// <summary>
    /// Checks and adds one request (with its audit records) to the unit of work without saving, so a batch can submit
    /// several requests in one transaction.
    /// </summary>
    public async Task<RequestSummary> PrepareAsync(PortalUser user, Command command, CancellationToken ct, SubmissionAuthority authority = SubmissionAuthority.Owner)
    {
        var vm = await FindVmAsync(command.VmId, ct) ?? throw new NotFoundException("VM", command.VmId);
        if (authority is SubmissionAuthority.HostEvacuation or SubmissionAuthority.Recommendation)
            await guard.RequireRoleAsync(user, "host.evacuate", ct, Roles.Operator, Roles.Administrator);
        else if (authority == SubmissionAuthority.RegressionRollback)
            await guard.RequireRoleAsync(user, "request.move-back", ct, Roles.Operator, Roles.Administrator);
        else
            await RequireCanRequestForAsync(user, vm, ct);

        var now = time.GetUtcNow();
        var check = new Validation();
        check.Text(command.Justification, nameof(command.Justification), TextLimits.Justification, "Say why this VM must move.")
            .Text(command.TargetHostId, nameof(command.TargetHostId), TextLimits.ExternalId)
            .Text(command.TargetDatastoreId, nameof(command.TargetDatastoreId), TextLimits.ExternalId)
            .Defined<MigrationKind>(command.Kind, nameof(command.Kind))
            .Defined<ScheduleMode>(command.ScheduleMode, nameof(command.ScheduleMode))
            .Defined<SourceAfterConversion>(command.AfterSuccess, nameof(command.AfterSuccess));
        // An unknown kind, or an ID the database cannot hold, is reported above and not looked up below.
        var kindKnown = Enum.IsDefined(command.Kind);
        var converting = command.Kind == MigrationKind.CrossPlatform;
        // Only a conversion leaves the VM's connection, and only a conversion takes maps: anything else would be ignored silently.
        check.Require(converting || command.TargetConnectionId is null || command.TargetConnectionId == vm.ConnectionId, nameof(command.TargetConnectionId),
            "Only a VMware → KVM conversion moves a VM to another connection.");
        check.Require(converting || command.NetworkMapId is null, nameof(command.NetworkMapId), "Only a VMware → KVM conversion takes a network map.");
        check.Require(converting || command.StorageMapId is null, nameof(command.StorageMapId), "Only a VMware → KVM conversion takes a storage map.");
        check.Require(!converting || !command.Live, nameof(command.Live), "A conversion is cold: the guest is shut down before its disks are copied, so it cannot be live.");
        check.Require(!converting || string.IsNullOrEmpty(command.TargetDatastoreId), nameof(command.TargetDatastoreId),
            "A conversion puts each disk in the pool its storage map names: leave the target datastore empty.");
        CheckSnapshot(command, check);
        check.Require(command.ScheduleMode != ScheduleMode.SpecificTime || command.NotBefore > now, nameof(command.NotBefore), "Choose a start time in the future.");
        check.Require(command.ScheduleMode != ScheduleMode.ChosenWindow || command.WindowId is not null, nameof(command.WindowId), "Choose a maintenance window.");

        var connection = await ConnectionOfAsync(vm, ct);
        InventoryRef? host = null;
        ResolvedConversion? conversion = null;
        if (converting)
        {
            conversion = await conversions.ResolveAsync(vm, connection, command, check, ct);
            if (conversion is not null) host = new InventoryRef(conversion.HostId, conversion.HostName);
        }
        else if (kindKnown && command.Kind.MovesCompute())
        {
            if (string.IsNullOrWhiteSpace(command.TargetHostId))
            {
                check.Add(nameof(command.TargetHostId), "Choose a target host.");
            }
            else if (TextRules.Fits(command.TargetHostId, TextLimits.ExternalId))
            {
                // The hypervisor's ID or the portal's: a script may take either from /api/v1/hosts.
                host = Single(await FindHostsAsync(vm, command.TargetHostId, ct), "host", "/api/v1/hosts", nameof(command.TargetHostId), check);
                check.Require(host is null || host.ExternalId != vm.HostExternalId || command.Kind.MovesStorage(), nameof(command.TargetHostId), "The VM already runs on that host.");
            }
        }

        InventoryRef? datastore = null;
        if (kindKnown && !converting && command.Kind.MovesStorage())
        {
            if (string.IsNullOrWhiteSpace(command.TargetDatastoreId))
            {
                check.Add(nameof(command.TargetDatastoreId), "Choose a target datastore or pool.");
            }
            else if (TextRules.Fits(command.TargetDatastoreId, TextLimits.ExternalId))
            {
                datastore = Single(await FindDatastoresAsync(vm, command.TargetDatastoreId, ct), "datastore", "/api/v1/datastores", nameof(command.TargetDatastoreId), check);
                check.Require(datastore is null || command.Kind != MigrationKind.Storage || !vm.Datastores.Split(',').Contains(datastore.Name),
                    nameof(command.TargetDatastoreId), "The VM's disks are already on that datastore.");
            }
        }

        if (command.BatchId is { } batchId)
            check.Require(await BatchExistsAsync(batchId, ct), nameof(command.BatchId), "That batch does not exist.");
        check.ThrowIfInvalid();

        // A quick answer for the common case; the unique index on active requests decides the race (SaveOrConflictAsync).
        if (await ActiveRequestOfAsync(vm.Id, ct) is { } existing) throw new ConflictException(RequestLoading.ActiveRequestMessage(vm.Name, existing.Id, existing.State));

        var wish = new ScheduleWish(command.ScheduleMode, command.NotBefore, command.ScheduleMode == ScheduleMode.ChosenWindow ? command.WindowId : null);
        var targetConnectionId = conversion?.Destination.Id ?? vm.ConnectionId;
        var (estimate, plan) = await PlanAsync(planner, estimator, vm, command.Kind, host?.ExternalId, wish, now, ct, targetConnectionId);
        RequireSchedulable(plan, wish, vm.Name, check);
        check.ThrowIfInvalid();

        var application = await ApplicationOfAsync(vm, ct);
        var request = new MigrationRequest(
            vm.Id, vm.Name, vm.ConnectionId, application?.Id, application?.Name, vm.HostName, vm.Datastores,
            command.Kind, command.Live,
            new MigrationTarget(targetConnectionId, host?.ExternalId, host?.Name, datastore?.ExternalId, datastore?.Name, null),
            wish, command.Justification!,
            new MigrationOptions(TakesSnapshot(command), command.RequireEncryption), user.AsActor(), now, command.BatchId, connection.IsDemo, conversion?.Settings);

        var rules = await ApprovalRulesAsync(vm.Id, ct);
        var requirement = ApprovalPolicy.Evaluate(rules, new ApprovalContext(application?.Id, application?.Environment, application?.Criticality, command.Kind, targetConnectionId));
        request.RecordEstimate(estimate.Duration, estimate.Bytes, estimate.Basis);
        request.RecordWaiting(plan.Explanation, plan.Start);
        request.Submit(user.AsActor(), now, requirement, approvalOptions.Value.ExpireAfter);

        db.Requests.Add(request);
        AuditLog.ForRequest(db, now, user.AsActor(), AuditActions.RequestSubmitted, request, new
        {
            kind = command.Kind.ToString(), live = command.Live, target = request.Target.Describe(), schedule = command.ScheduleMode.ToString(),
            notBefore = command.NotBefore, windowId = wish.WindowId, plannedStart = plan.Start, estimateSeconds = request.EstimatedSeconds, estimateBasis = estimate.Basis,
            justification = request.Justification, snapshot = TakesSnapshot(command), encryption = command.RequireEncryption, policy = requirement.Reason,
            conversion = conversion is null ? null : new
            {
                targetConnectionId = conversion.Destination.Id, targetConnection = conversion.Destination.Name,
                networkMapId = conversion.Settings.NetworkMapId, networkMap = conversion.NetworkMapName,
                storageMapId = conversion.Settings.StorageMapId, storageMap = conversion.StorageMapName,
                networks = conversion.Settings.Networks.Select(n => new { source = n.SourceNetwork, kind = n.TargetKind.ToString(), target = n.TargetName }),
                storage = conversion.Settings.Storage.Select(d => new { source = d.SourceDatastore, pool = d.TargetPool, format = d.Format.ToString() }),
                keepIdentity = conversion.Settings.KeepIdentity, afterSuccess = conversion.Settings.AfterSuccess.ToString(),
            },
        });
        AuditLog.TransitionsSince(db, request, 0);
        return request.ToSummary();
    }

    /// <summary>Whether the request takes a safety copy first: as asked, or the kind's default (a conversion never writes the source).</summary>
    public static bool TakesSnapshot(Command command) => command.TakeSnapshot ?? command.Kind != MigrationKind.CrossPlatform;

    /// <summary>A conversion reads the source and never writes it, so a safety copy of it protects nothing: asking for one is an error.</summary>
    public static void CheckSnapshot(Command command, Validation check) =>
        check.Require(command.Kind != MigrationKind.CrossPlatform || command.TakeSnapshot != true, nameof(command.TakeSnapshot),
            "A VMware → KVM conversion never writes the source VM, so it takes no snapshot: leave TakeSnapshot out or false.");

    /// <summary>The estimate and the planned start for a wish, as submission and the wizard's preview see them.</summary>
    public static async Task<(DurationEstimate Estimate, StartPlan Plan)> PlanAsync(StartPlanner planner, DurationEstimator estimator,
        Domain.Inventory.InventoryVm vm, MigrationKind kind, string? targetHostId, ScheduleWish wish, DateTimeOffset now, CancellationToken ct, Guid? targetConnectionId = null)
    {
        var estimate = await estimator.EstimateAsync(vm.ConnectionId, kind, vm, ct);
        var coverage = await planner.CoverageAsync(StartPlanner.PlacementOf(vm, targetHostId, targetConnectionId), ct);
        if (wish.Mode == ScheduleMode.AsSoonAsApproved && coverage.WindowRequired)
        {
            var names = string.Join(", ", coverage.Windows.Select(w => $"'{w.Name}'"));
            var problem = $"VM '{vm.Name}' is covered by maintenance window {names}, so it moves only inside a window: choose the next window, a window, or a time inside one.";
            return (estimate, new StartPlan(null, problem, problem, null));
        }

        var plan = planner.Plan(coverage, wish, now, estimate.Duration);
        if (plan.Start is { } start && wish.Mode == ScheduleMode.SpecificTime && wish.NotBefore is { } asked && start != asked)
        {
            var problem = coverage.WindowRequired
                ? $"{asked:u} is not inside a window of this VM with room for the estimated {StartPlanner.Format(estimate.Duration)}; the earliest start from then is {start:u}."
                : $"A blackout stops a start at {asked:u} for the estimated {StartPlanner.Format(estimate.Duration)}; the earliest start from then is {start:u}.";
            plan = plan with { Problem = problem };
        }

        return (estimate, plan);
    }

    private static void RequireSchedulable(StartPlan plan, ScheduleWish wish, string vmName, Validation check)
    {
        var field = wish.Mode switch
        {
            ScheduleMode.SpecificTime => nameof(Command.NotBefore),
            ScheduleMode.ChosenWindow => nameof(Command.WindowId),
            _ => nameof(Command.ScheduleMode),
        };
        if (plan.Problem is { } problem) check.Add(field, problem);
        else if (plan.Start is null) check.Add(field, $"VM '{vmName}': {plan.Explanation}");
    }

    private sealed record InventoryRef(string ExternalId, string Name);
}
