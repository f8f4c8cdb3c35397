using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution;

/// <summary>Builds the connector's view of a request: the connection (secret decrypted for the call only) and the VM's hypervisor identity.</summary>
public sealed class MigrationPlanner(IPortalDb db, ISecretProtector secrets)
{
    public async Task<ConnectionInfo> ConnectionInfoAsync(Guid connectionId, CancellationToken ct)
    {
        var connection = await db.Connections.AsNoTracking().FirstAsync(c => c.Id == connectionId, ct);
        return ToInfo(connection);
    }

    public ConnectionInfo ToInfo(Connection connection) =>
        new(connection.Id, connection.Name, connection.Kind, connection.Endpoint, connection.Username,
            connection.ProtectedSecret is null ? null : secrets.Unprotect(connection.ProtectedSecret),
            connection.PinnedThumbprint, connection.AllowUnencryptedMigration,
            connection.CaCertificatePem, connection.ClientCertificatePem,
            connection.ProtectedClientKey is null ? null : secrets.Unprotect(connection.ProtectedClientKey));

    /// <summary>
    /// The plan as a page shows it: no secret is decrypted (which itinerary applies depends only on kinds and options).
    /// </summary>
    public Task<MigrationPlan?> DescribeAsync(MigrationRequest request, CancellationToken ct) => PlanAsync(request, withSecrets: false, ct);

    public Task<MigrationPlan?> PlanAsync(MigrationRequest request, CancellationToken ct) => PlanAsync(request, withSecrets: true, ct);

    private async Task<ConnectionInfo> ConnectionInfoAsync(Guid connectionId, bool withSecrets, CancellationToken ct)
    {
        if (withSecrets) return await ConnectionInfoAsync(connectionId, ct);
        var c = await db.Connections.AsNoTracking().FirstAsync(c => c.Id == connectionId, ct);
        return new ConnectionInfo(c.Id, c.Name, c.Kind, c.Endpoint, c.Username, null, c.PinnedThumbprint, c.AllowUnencryptedMigration);
    }

    private async Task<MigrationPlan?> PlanAsync(MigrationRequest request, bool withSecrets, CancellationToken ct)
    {
        var vm = await db.Vms.AsNoTracking().FirstOrDefaultAsync(v => v.Id == request.VmId, ct);
        if (vm is null) return null;
        var connection = await ConnectionInfoAsync(request.ConnectionId, withSecrets, ct);
        // The source is the host the request recorded at submission: the VM's inventory row follows the VM at the next
        // sync, and a rollback must move it back to where it was, not to where it is.
        var sourceHostId = request.SourceHostName is null ? null
            : await db.Hosts.AsNoTracking().Where(h => h.ConnectionId == request.ConnectionId && h.Name == request.SourceHostName).Select(h => h.ExternalId).FirstOrDefaultAsync(ct);
        var destination = request.Target.ConnectionId == request.ConnectionId || request.Target.ConnectionId == Guid.Empty ? connection : await ConnectionInfoAsync(request.Target.ConnectionId, withSecrets, ct);
        return new MigrationPlan(request.Id, connection, destination, vm.ExternalId, vm.Name, request.Kind, request.Live,
            sourceHostId ?? vm.HostExternalId, request.SourceDatastoreName, request.Target, request.Options, request.SnapshotId, request.Conversion);
    }
}
