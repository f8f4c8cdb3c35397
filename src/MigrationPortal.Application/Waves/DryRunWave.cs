using System.Globalization;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Requests;

namespace MigrationPortal.Application.Waves;

/// <summary>One line of a dry-run report: a finding for one row (a row with none gets one "ok" line).</summary>
public sealed record DryRunLine(int Row, string Wave, string Vm, string Kind, string Severity, string Code, string Message,
    DateTimeOffset? PlannedStart, string? Approval);

public sealed record DryRunReport(int Rows, int BlockedRows, IReadOnlyList<DryRunLine> Lines)
{
    public static readonly IReadOnlyList<string> Columns = ["row", "wave", "vm", "kind", "severity", "code", "message", "planned_start_utc", "approval"];

    /// <summary>The report as CSV, through the same formula-injection escape as the audit export.</summary>
    public Task WriteCsvAsync(ICsvTables csv, Stream output, CancellationToken ct) =>
        csv.WriteAsync(Columns, Lines.Select<DryRunLine, IReadOnlyList<string?>>(l => new[]
            {
                l.Row.ToString(CultureInfo.InvariantCulture), l.Wave, l.Vm, l.Kind, l.Severity, l.Code, l.Message,
                l.PlannedStart?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), l.Approval,
            }), output, ct);
}

/// <summary>
/// The prechecks of every row, as the wizard's review step runs them for one request, without saving anything. A row
/// the file or the request rules refuse is reported with those errors (Critical, code "validation") instead of
/// failing the whole report, so one run shows everything to fix. A file that cannot be read at all is still a 400.
/// </summary>
public sealed class DryRunWave(IPortalDb db, WaveReader reader, WaveBatches batches, PreviewRequest preview, ICsvTables csv)
{
    /// <summary>The report as CSV (what the API returns and the page offers for download).</summary>
    public Task WriteCsvAsync(DryRunReport report, Stream output, CancellationToken ct = default) => report.WriteCsvAsync(csv, output, ct);

    public async Task<DryRunReport> HandleAsync(PortalUser user, Stream file, CancellationToken ct = default)
    {
        var wave = await reader.ReadAsync(user, file, ct, lenient: true);
        var lines = new List<DryRunLine>();
        var blocked = new HashSet<int>();
        AddErrors(wave.RowErrors ?? new Dictionary<string, string[]>(), wave, lines, blocked);
        try
        {
            await batches.PrepareAsync(user, wave, ct);
        }
        catch (ValidationFailedException e)
        {
            AddErrors(e.Errors, wave, lines, blocked);
        }
        finally
        {
            db.DiscardChanges();
        }

        foreach (var row in wave.Rows)
        {
            var command = new SubmitRequest.Command(row.Item.VmId, row.Item.Kind, row.Item.Live, row.Item.TargetHostId, row.Item.TargetDatastoreId,
                row.Justification, row.ScheduleMode, row.NotBefore, row.Item.TakeSnapshot, row.Item.RequireEncryption ?? true, null, row.WindowId,
                row.Item.TargetConnectionId, row.Item.NetworkMapId, row.Item.StorageMapId);
            var result = await preview.HandleAsync(user, command, ct);
            var approval = result.Approval.Reason;
            if (result.Findings.Count == 0)
                lines.Add(new DryRunLine(row.Row, row.Wave, row.VmName, row.Item.Kind.ToString(), "Ok", "ok", "No findings.", result.PlannedStart, approval));
            lines.AddRange(result.Findings.Select(f => new DryRunLine(row.Row, row.Wave, row.VmName, row.Item.Kind.ToString(), f.Severity.ToString(), f.Code, f.Message,
                result.PlannedStart, approval)));
            if (result.Blocked) blocked.Add(row.Row);
        }

        var rows = wave.Rows.Select(r => r.Row).Concat(blocked).Distinct().Count();
        return new DryRunReport(rows, blocked.Count, lines.OrderBy(l => l.Row).ToList());
    }

    /// <summary>Errors keyed "Rows[n].Column" become Critical "validation" lines of row n.</summary>
    private static void AddErrors(IReadOnlyDictionary<string, string[]> errors, WaveFile wave, List<DryRunLine> lines, HashSet<int> blocked)
    {
        foreach (var (key, messages) in errors)
        {
            var close = key.IndexOf(']');
            if (!key.StartsWith("Rows[", StringComparison.Ordinal) || close < 0 || !int.TryParse(key.AsSpan(5, close - 5), CultureInfo.InvariantCulture, out var row)) continue;
            blocked.Add(row);
            var known = wave.Rows.FirstOrDefault(r => r.Row == row);
            lines.AddRange(messages.Select(m => new DryRunLine(row, known?.Wave ?? "", known?.VmName ?? "", known?.Item.Kind.ToString() ?? "", "Critical", "validation",
                $"{key[(close + 2)..]}: {m}", null, null)));
        }
    }
}
