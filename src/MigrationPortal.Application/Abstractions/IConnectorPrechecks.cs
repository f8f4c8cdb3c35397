namespace MigrationPortal.Application.Abstractions;

/// <summary>
/// The connector's own prechecks: what only the hypervisor can tell (host state, room, snapshots, devices). The portal's
/// checks that hold for every kind (the encryption policy, one move per VM) are composed with these above the seam.
/// </summary>
public interface IConnectorPrechecks
{
    /// <summary>The connection kind these checks serve.</summary>
    string Kind { get; }

    /// <summary>Checks that the move can run now. Findings, never exceptions, for expected problems; only Critical blocks.</summary>
    Task<IReadOnlyList<PrecheckFinding>> PrecheckAsync(MigrationPlan plan, CancellationToken ct);
}
