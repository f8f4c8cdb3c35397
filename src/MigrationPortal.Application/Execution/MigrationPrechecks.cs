using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Execution.Itinerary.Conversion;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution;

/// <summary>
/// The prechecks of a move, composed once: the connector's own findings (<see cref="IConnectorPrechecks"/>), or for a
/// conversion between kinds the conversion's (<see cref="ConversionPrechecks"/>), with the portal's checks that hold for
/// every kind, the encryption policy and "one move per VM". The wizard's preview
/// (<c>PreviewRequest</c>), the approver's check (<c>CheckRequest</c>) and the run's precheck step all call this, so a
/// rule cannot differ between what a person is shown and what the run enforces. Findings are ordered most severe first.
/// </summary>
public sealed class MigrationPrechecks(IPortalDb db, IConnectorResolver connectors, ConversionPrechecks conversion, Rules.RulePrechecks rules)
{
    /// <param name="plan">The move; <see cref="MigrationPlan.RequestId"/> is <see cref="Guid.Empty"/> for a request not saved yet.</param>
    /// <param name="vmId">The VM's inventory ID, for the one-move-per-VM check.</param>
    /// <param name="faultsAsFindings">
    /// True for the pages, where a hypervisor fault is shown to a person as a Critical finding; false for the run, where
    /// it is a fault of the step (<see cref="ConnectorException"/>) and says so on the request.
    /// </param>
    public async Task<IReadOnlyList<PrecheckFinding>> CheckAsync(MigrationPlan plan, Guid vmId, bool faultsAsFindings, CancellationToken ct)
    {
        var findings = new List<PrecheckFinding>();
        try
        {
            // A conversion's source is only read and its destination is another kind: the source connector's compute and
            // storage prechecks do not describe it, the conversion's own do.
            findings.AddRange(plan.Kind == MigrationKind.CrossPlatform
                ? await conversion.CheckAsync(plan, ct)
                : await connectors.Resolve(plan.Source.Kind).PrecheckAsync(plan, ct));
        }
        catch (ConnectorException e) when (faultsAsFindings)
        {
            findings.Add(new PrecheckFinding(FindingSeverity.Critical, e.FaultType, e.Message));
        }

        if (EncryptionPolicy(plan) is { } policy) findings.Add(policy);
        if (await VmBusyAsync(plan, vmId, ct) is { } busy) findings.Add(busy);
        findings.AddRange(await rules.CheckAsync(plan, vmId, ct));
        return findings.OrderByDescending(f => f.Severity).ToList();
    }

    /// <summary>Critical when the request turned encryption off and the source connection's administrator policy does not allow that.</summary>
    public static PrecheckFinding? EncryptionPolicy(MigrationPlan plan) =>
        plan.Options.RequireEncryption || plan.Source.AllowUnencryptedMigration
            ? null
            : new PrecheckFinding(FindingSeverity.Critical, "encryption-policy",
                $"Unencrypted migration is not allowed on connection '{plan.Source.Name}': no administrator policy permits it.");

    /// <summary>Critical when another request of the VM is active (the unique index makes this rare; it is the second line).</summary>
    private async Task<PrecheckFinding?> VmBusyAsync(MigrationPlan plan, Guid vmId, CancellationToken ct)
    {
        var active = RequestTransitions.Active.ToArray();
        var other = await db.Requests.AsNoTracking()
            .Where(r => r.VmId == vmId && r.Id != plan.RequestId && active.Contains(r.State))
            .Select(r => new { r.Id, r.State }).FirstOrDefaultAsync(ct);
        return other is null ? null
            : new PrecheckFinding(FindingSeverity.Critical, "vm-busy", $"VM '{plan.VmName}' already has an active migration request: {other.Id} ({other.State}).");
    }
}
