using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Requests;

public sealed record RequestPreview(IReadOnlyList<PrecheckFinding> Findings, ApprovalRequirement Approval,
    DateTimeOffset? PlannedStart = null, string? ScheduleExplanation = null, TimeSpan? Estimate = null, string? EstimateBasis = null)
{
    public bool Blocked => Findings.Any(f => f.Severity == FindingSeverity.Critical);

    public bool HasWarnings => Findings.Any(f => f.Severity == FindingSeverity.Warning);
}

/// <summary>
/// The wizard's review step: the connector's precheck findings for the move as it would run now, and the approval path
/// the policy will require, and when it would start (its window, or as soon as approved) with the duration estimate and its
/// basis. Nothing is saved; a Critical finding (including a schedule that cannot be met) blocks submission in the UI.
/// </summary>
public sealed class PreviewRequest(IPortalDb db, AccessGuard guard, MigrationPlanner planner, MigrationPrechecks prechecks,
    StartPlanner startPlanner, DurationEstimator estimator, TimeProvider time, ConversionChoices conversions)
{
    public async Task<RequestPreview> HandleAsync(PortalUser user, SubmitRequest.Command command, CancellationToken ct = default)
    {
        var vm = await db.Vms.AsNoTracking().FirstOrDefaultAsync(v => v.Id == command.VmId, ct) ?? throw new NotFoundException("VM", command.VmId);
        await guard.RequireCanRequestForAsync(user, vm, ct);
        ConnectionInfo connection;
        try
        {
            connection = await planner.ConnectionInfoAsync(vm.ConnectionId, ct);
        }
        catch (Exception e) when (e is InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            var noApproval = new ApprovalRequirement(ApprovalOutcome.RequireApprovals, 1, null, "Not evaluated: the connection cannot be used.");
            return new RequestPreview([new PrecheckFinding(FindingSeverity.Critical, "connection-unavailable", $"The VM's connection cannot be used: {e.Message}")], noApproval);
        }

        MigrationPlan plan;
        var findings = new List<PrecheckFinding>();
        if (command.Kind == MigrationKind.CrossPlatform)
        {
            // The same rules as submission: a choice it would refuse is a Critical finding here, in the same words.
            var check = new Validation();
            var source = await db.Connections.AsNoTracking().FirstAsync(c => c.Id == vm.ConnectionId, ct);
            SubmitRequest.CheckSnapshot(command, check);
            var conversion = await conversions.ResolveAsync(vm, source, command, check, ct);
            findings.AddRange(check.Errors.SelectMany(e => e.Value).Select(m => new PrecheckFinding(FindingSeverity.Critical, "conversion", m)));
            var destination = connection;
            try
            {
                if (conversion is not null) destination = await planner.ConnectionInfoAsync(conversion.Destination.Id, ct);
            }
            catch (Exception e) when (e is InvalidOperationException or System.Security.Cryptography.CryptographicException)
            {
                findings.Add(new PrecheckFinding(FindingSeverity.Critical, "connection-unavailable", $"The destination connection cannot be used: {e.Message}"));
                conversion = null;
            }

            plan = new MigrationPlan(Guid.Empty, connection, destination, vm.ExternalId, vm.Name, command.Kind, command.Live, vm.HostExternalId, vm.Datastores,
                new MigrationTarget(destination.Id, conversion?.HostId, conversion?.HostName, null, null, null),
                new MigrationOptions(SubmitRequest.TakesSnapshot(command), command.RequireEncryption), null, conversion?.Settings);
            if (conversion is not null) findings.AddRange(await prechecks.CheckAsync(plan, vm.Id, faultsAsFindings: true, ct));
        }
        else
        {
            var host = command.TargetHostId is null ? null : await db.Hosts.AsNoTracking().FirstOrDefaultAsync(h => h.ConnectionId == vm.ConnectionId && h.ExternalId == command.TargetHostId, ct);
            var store = command.TargetDatastoreId is null ? null : await db.Datastores.AsNoTracking().FirstOrDefaultAsync(d => d.ConnectionId == vm.ConnectionId && d.ExternalId == command.TargetDatastoreId, ct);
            plan = new MigrationPlan(Guid.Empty, connection, connection, vm.ExternalId, vm.Name, command.Kind, command.Live, vm.HostExternalId, vm.Datastores,
                new MigrationTarget(vm.ConnectionId, host?.ExternalId, host?.Name, store?.ExternalId, store?.Name, null),
                new MigrationOptions(SubmitRequest.TakesSnapshot(command), command.RequireEncryption), null);
            findings.AddRange(await prechecks.CheckAsync(plan, vm.Id, faultsAsFindings: true, ct));
        }

        var app = vm.ApplicationId is null ? null : await db.Applications.AsNoTracking().FirstOrDefaultAsync(a => a.Id == vm.ApplicationId, ct);
        var rules = await db.ApprovalRules.AsNoTracking().ToListAsync(ct);
        var approval = ApprovalPolicy.Evaluate(rules, new ApprovalContext(app?.Id, app?.Environment, app?.Criticality, command.Kind, plan.Target.ConnectionId));
        var wish = new ScheduleWish(command.ScheduleMode, command.NotBefore, command.ScheduleMode == ScheduleMode.ChosenWindow ? command.WindowId : null);
        var (estimate, schedule) = await SubmitRequest.PlanAsync(startPlanner, estimator, vm, command.Kind, plan.Target.HostId, wish, time.GetUtcNow(), ct, plan.Target.ConnectionId);
        if (schedule.Problem is not null || schedule.Start is null)
            findings.Add(new PrecheckFinding(FindingSeverity.Critical, "schedule", schedule.Problem ?? schedule.Explanation));
        return new RequestPreview(findings.OrderByDescending(f => f.Severity).ToList(), approval, schedule.Start, schedule.Explanation, estimate.Duration, estimate.Basis);
    }
}
