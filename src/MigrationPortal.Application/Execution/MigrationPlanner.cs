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

    public async Task<MigrationPlan?> PlanAsync(MigrationRequest request, CancellationToken ct)
    {
        var vm = await db.Vms.AsNoTracking().FirstOrDefaultAsync(v => v.Id == request.VmId, ct);
        if (vm is null) return null;
        var connection = await ConnectionInfoAsync(request.ConnectionId, ct);
        var sourceHostId = vm.HostExternalId;
        if (request.State == RequestState.RollingBack && request.SourceHostName is { } sourceName)
        {
            // After a move (and an inventory sync) the VM's current host is the target; a rollback needs the host it came from.
            sourceHostId = await db.Hosts.AsNoTracking().Where(h => h.ConnectionId == request.ConnectionId && h.Name == sourceName)
                .Select(h => h.ExternalId).FirstOrDefaultAsync(ct) ?? sourceHostId;
        }

        return new MigrationPlan(request.Id, connection, vm.ExternalId, vm.Name, request.Kind, request.Live,
            sourceHostId, request.SourceDatastoreName, request.Target, request.Options, request.SnapshotId);
    }
}
