using System.Globalization;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;

namespace MigrationPortal.Application.Waves;

/// <summary>
/// A submitted wave's results as CSV, one line per VM: state, start, end, downtime and the reason it failed, waits or
/// needs attention. A requester gets the requests they may see (their own applications'); a wave with none of those is
/// refused (403, audited). Cells go through the audit export's formula-injection escape.
/// </summary>
public sealed class ExportWaveResults(IPortalDb db, AccessGuard guard, ICsvTables csv)
{
    public static readonly IReadOnlyList<string> Columns =
        ["vm", "application", "kind", "target", "state", "start_utc", "end_utc", "downtime_seconds", "reason", "request_id"];

    public async Task<string> BeginAsync(PortalUser user, Guid batchId, CancellationToken ct)
    {
        var batch = await db.Batches.AsNoTracking().FirstOrDefaultAsync(b => b.Id == batchId, ct) ?? throw new NotFoundException("Wave", batchId);
        var visible = await guard.VisibleRequestsAsync(user, ct);
        if (!await visible.AnyAsync(r => r.BatchId == batchId, ct) && !user.SeesEverything)
            await guard.DenyAsync(user, "wave.export", "MigrationBatch", batchId.ToString(), "This wave holds none of your applications' VMs.", ct);
        return batch.Name;
    }

    public async Task WriteAsync(PortalUser user, Guid batchId, Stream output, CancellationToken ct)
    {
        var visible = await guard.VisibleRequestsAsync(user, ct);
        var requests = await visible.AsNoTracking().Where(r => r.BatchId == batchId).OrderBy(r => r.VmName).ToListAsync(ct);
        await csv.WriteAsync(Columns, requests.Select<Domain.Requests.MigrationRequest, IReadOnlyList<string?>>(r => new[]
        {
            r.VmName, r.ApplicationName, r.Kind.ToString(), r.Target.Describe(), r.State.ToString(),
            Utc(r.StartedAt), Utc(r.CompletedAt),
            r.DowntimeMs is { } ms ? (ms / 1000.0).ToString("0.###", CultureInfo.InvariantCulture) : null,
            r.FailureReason ?? r.AttentionReason ?? r.QueueReason, r.Id.ToString(),
        }), output, ct);
    }

    private static string? Utc(DateTimeOffset? at) => at?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
