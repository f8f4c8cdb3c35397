using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Telemetry;

/// <summary>
/// The gauges read from the database (approvals waiting, each connection's sync age), published as observable gauges.
/// A scrape must never wait on the database, so <see cref="RefreshAsync"/> reads them on a timer (the web host's
/// TelemetryGaugeRefresher) and a scrape reports the last reading. Every node reports the same values: aggregate them
/// across instances with max, not sum.
/// </summary>
public sealed class PortalGauges(IPortalDbFactory dbFactory, TimeProvider time)
{
    private static Reading _last = new([], []);
    private static DateTimeOffset? _readAt;
    private static TimeProvider _clock = TimeProvider.System;

    static PortalGauges()
    {
        PortalTelemetry.Meter.CreateObservableGauge("migrationportal.approvals.waiting", () => _last.ApprovalsWaiting,
            "{request}", "Requests waiting for an approval decision, by kind.");
        PortalTelemetry.Meter.CreateObservableGauge("migrationportal.connection.sync_age", SyncAges,
            "s", "Seconds since each connection's inventory was last synced (absent for a connection never synced).");
    }

    private sealed record Reading(IReadOnlyList<Measurement<long>> ApprovalsWaiting, IReadOnlyList<(string Connection, string Kind, DateTimeOffset SyncedAt)> Syncs);

    /// <summary>Sync age is computed at scrape time from the last sync time read, so it keeps growing between readings.</summary>
    private static IEnumerable<Measurement<double>> SyncAges()
    {
        var now = _clock.GetUtcNow();
        return _last.Syncs.Select(s => new Measurement<double>(Math.Max(0, (now - s.SyncedAt).TotalSeconds),
            new KeyValuePair<string, object?>("connection", s.Connection), new KeyValuePair<string, object?>("connection_kind", s.Kind)));
    }

    /// <summary>When the gauges were last read from the database (null before the first reading).</summary>
    public static DateTimeOffset? ReadAt => _readAt;

    public async Task RefreshAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateAsync(ct);
        var waiting = await db.Requests.AsNoTracking().Where(r => r.State == RequestState.PendingApproval)
            .GroupBy(r => r.Kind).Select(g => new { Kind = g.Key, Count = g.LongCount() }).ToListAsync(ct);
        var syncs = await db.Connections.AsNoTracking().Where(c => c.LastSyncedAt != null)
            .Select(c => new { c.Name, c.Kind, c.LastSyncedAt }).ToListAsync(ct);
        // Every kind is reported, zero included, so a panel shows 0 rather than "no data" once the queue empties.
        var approvals = Enum.GetValues<MigrationKind>()
            .Select(k => new Measurement<long>(waiting.FirstOrDefault(w => w.Kind == k)?.Count ?? 0, new KeyValuePair<string, object?>("kind", k.ToString())))
            .ToList();
        _clock = time;
        _last = new Reading(approvals, syncs.Select(s => (s.Name, s.Kind, s.LastSyncedAt!.Value)).ToList());
        _readAt = time.GetUtcNow();
    }
}
