using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Rules;

namespace MigrationPortal.Application.Rules;

/// <summary>
/// An Administrator or Operator sets the CPU and memory headroom of one cluster (0–90 % each; 0 and 0 keeps nothing back).
/// The first setting of a cluster inserts its row; the unique index on connection and cluster turns a race between two
/// first settings into a 409 rather than two rows.
/// </summary>
public sealed class SetClusterHeadroom(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    /// <param name="ClusterName">The cluster as the inventory names it; "" for the connection's hosts without a cluster.</param>
    public sealed record Command(Guid ConnectionId, string? ClusterName, int? CpuPercent, int? MemoryPercent);

    public async Task<ClusterHeadroomView> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "headroom.set", ct, RuleAccess.WriteRoles);
        var check = new Validation();
        var cluster = command.ClusterName?.Trim() ?? ClusterHeadroom.WholeConnection;
        check.Text(command.ClusterName, "ClusterName", TextLimits.Name);
        Percent(check, command.CpuPercent, "CpuPercent", "CPU");
        Percent(check, command.MemoryPercent, "MemoryPercent", "memory");
        var connection = await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == command.ConnectionId, ct) ?? throw new NotFoundException("Connection", command.ConnectionId);
        var row = TextRules.Fits(cluster, TextLimits.Name)
            ? await db.ClusterHeadrooms.FirstOrDefaultAsync(h => h.ConnectionId == connection.Id && h.ClusterName == cluster, ct)
            : null;
        if (row is null && TextRules.Fits(cluster, TextLimits.Name))
        {
            var known = cluster == ClusterHeadroom.WholeConnection
                ? await db.Hosts.AnyAsync(h => h.ConnectionId == connection.Id && h.ClusterName == null, ct)
                : await db.Hosts.AnyAsync(h => h.ConnectionId == connection.Id && h.ClusterName == cluster, ct);
            if (!known) check.Add("ClusterName", $"'{RuleAccess.ClusterDisplayName(cluster, connection.Name)}' is not a cluster of '{connection.Name}' in its inventory.");
        }

        check.ThrowIfInvalid();
        var now = time.GetUtcNow();
        if (row is null)
        {
            row = new ClusterHeadroom(connection.Id, cluster, command.CpuPercent!.Value, command.MemoryPercent!.Value, user.AsActor(), now);
            db.ClusterHeadrooms.Add(row);
        }
        else row.Set(command.CpuPercent!.Value, command.MemoryPercent!.Value, user.AsActor(), now);

        AuditLog.Record(db, now, user.AsActor(), AuditActions.ConfigChanged, nameof(ClusterHeadroom), row.Id.ToString(), new
        {
            change = "headroom set", connection = connection.Name, cluster = RuleAccess.ClusterDisplayName(cluster, connection.Name), row.CpuPercent, row.MemoryPercent,
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (UniqueConstraintException)
        {
            throw new ConflictException($"Someone else set the headroom of '{RuleAccess.ClusterDisplayName(cluster, connection.Name)}' at the same time; reload and set it again.");
        }

        var hostCount = cluster == ClusterHeadroom.WholeConnection
            ? await db.Hosts.CountAsync(h => h.ConnectionId == connection.Id && h.ClusterName == null, ct)
            : await db.Hosts.CountAsync(h => h.ConnectionId == connection.Id && h.ClusterName == cluster, ct);
        return new ClusterHeadroomView(connection.Id, connection.Name, cluster, hostCount, row.CpuPercent, row.MemoryPercent, true, row.UpdatedBy, row.UpdatedAt);
    }

    private static void Percent(Validation check, int? value, string field, string what)
    {
        if (value is null) check.Add(field, $"Give the {what} headroom in percent (0 keeps none back).");
        else if (value is < 0 or > ClusterHeadroom.MaximumPercent) check.Add(field, $"Give the {what} headroom between 0 and {ClusterHeadroom.MaximumPercent} % (it was {value}).");
    }
}
