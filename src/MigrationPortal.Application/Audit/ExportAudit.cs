using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;

namespace MigrationPortal.Application.Audit;

/// <summary>
/// Streams the filtered audit trail in a chosen format. The export is itself audited (who, which filter, which format)
/// before the first byte goes out. Events are read untracked, in sequence order, one at a time.
/// </summary>
public sealed class ExportAudit(IPortalDb db, AccessGuard guard, TimeProvider time, IEnumerable<IAuditExportFormat> formats)
{
    public IAuditExportFormat ResolveFormat(string format) =>
        formats.FirstOrDefault(f => string.Equals(f.Name, format, StringComparison.OrdinalIgnoreCase))
        ?? throw ValidationFailedException.For("format", $"Unknown export format '{format}'. Use {string.Join(" or ", formats.Select(f => f.Name))}.");

    /// <summary>Checks permission and input and records the export; returns the format to write with.</summary>
    public async Task<IAuditExportFormat> BeginAsync(PortalUser user, AuditFilter filter, string format, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "audit.export", ct, Roles.Auditor, Roles.Administrator);
        var chosen = ResolveFormat(format);
        filter.Check(new Validation()).ThrowIfInvalid();
        AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.AuditExported, "AuditEvent", null, new { format = chosen.Name, filter });
        await db.SaveChangesAsync(ct);
        return chosen;
    }

    public Task WriteAsync(IAuditExportFormat format, AuditFilter filter, Stream output, CancellationToken ct = default) =>
        format.WriteAsync(filter.Apply(db.AuditEvents.AsNoTracking()).OrderBy(e => e.Sequence).AsAsyncEnumerable(), output, ct);

    public async Task HandleAsync(PortalUser user, AuditFilter filter, string format, Stream output, CancellationToken ct = default)
    {
        var chosen = await BeginAsync(user, filter, format, ct);
        await WriteAsync(chosen, filter, output, ct);
    }
}
