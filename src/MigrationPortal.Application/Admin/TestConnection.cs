using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Execution;

namespace MigrationPortal.Application.Admin;

/// <summary>
/// "Test connection": signs in through the connector and shows the certificate thumbprint for the administrator to
/// confirm or pin. A hypervisor fault is reported as a failed test with the hypervisor's own text, not as an error.
/// </summary>
public sealed class TestConnection(IPortalDb db, AccessGuard guard, MigrationPlanner planner, IConnectorResolver connectors, TimeProvider time)
{
    public async Task<ConnectionTestResult> HandleAsync(PortalUser user, Guid connectionId, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "connection.test", ct, Roles.Administrator);
        var connection = await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == connectionId, ct) ?? throw new NotFoundException("Connection", connectionId);
        ConnectionTestResult result;
        try
        {
            result = await connectors.Resolve(connection.Kind).TestConnectionAsync(planner.ToInfo(connection), ct);
        }
        catch (ConnectorException e)
        {
            result = new ConnectionTestResult(false, $"{e.FaultType}: {e.Message}", null);
        }

        AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.ConnectionTested, "Connection", connection.Id.ToString(),
            new { connection = connection.Name, result.Succeeded, result.Message, result.CertificateThumbprint }, isDemo: connection.IsDemo);
        await db.SaveChangesAsync(ct);
        return result;
    }
}
