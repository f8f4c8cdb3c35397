using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Execution;

namespace MigrationPortal.Application.Requests;

/// <summary>
/// Runs the connector's prechecks for a saved request as things stand now, for approvers deciding on it. Read-only: findings,
/// never changes. The run job repeats them at start, when they decide.
/// </summary>
public sealed class CheckRequest(IPortalDb db, AccessGuard guard, MigrationPlanner planner, MigrationPrechecks prechecks)
{
    public async Task<IReadOnlyList<PrecheckFinding>> HandleAsync(PortalUser user, Guid requestId, CancellationToken ct = default)
    {
        var request = await db.LoadRequestAsync(requestId, ct);
        await guard.RequireCanViewAsync(user, request, ct);
        try
        {
            var plan = await planner.PlanAsync(request, ct);
            if (plan is null) return [new PrecheckFinding(FindingSeverity.Critical, "vm-gone", "The VM is no longer in the inventory.")];
            return await prechecks.CheckAsync(plan, request.VmId, faultsAsFindings: true, ct);
        }
        catch (Exception e) when (e is InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            // A connection deleted meanwhile, or a secret this node cannot decrypt: a finding for the approver, not a broken page.
            return [new PrecheckFinding(FindingSeverity.Critical, "connection-unavailable", $"The connection cannot be used: {e.Message}")];
        }
    }
}
