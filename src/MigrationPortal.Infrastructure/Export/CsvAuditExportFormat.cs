using System.Globalization;
using CsvHelper;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Audit;

namespace MigrationPortal.Infrastructure.Export;

/// <summary>
/// RFC 4180 CSV through CsvHelper. Injection protection is CsvHelper's own: any cell starting with =, +, -, @, tab or
/// carriage return is prefixed with an apostrophe, so a spreadsheet shows it as text instead of running it as a formula.
/// </summary>
public sealed class CsvAuditExportFormat : IAuditExportFormat
{
    public static readonly CsvWriterOptions Options = new()
    {
        Injection = CsvInjection.Escape,
        FormatProvider = CultureInfo.InvariantCulture,
    };

    public string Name => "csv";
    public string ContentType => "text/csv; charset=utf-8";
    public string FileExtension => "csv";

    public async Task WriteAsync(IAsyncEnumerable<AuditEvent> events, Stream output, CancellationToken ct)
    {
        await using var csv = CsvWriter.Create(output, Options, leaveOpen: true);
        foreach (var header in Columns) csv.WriteField(header);
        await csv.EndRecordAsync(ct);
        await foreach (var e in events.WithCancellation(ct))
        {
            csv.WriteField(e.Sequence.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(e.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            csv.WriteField(e.ActorId);
            csv.WriteField(e.ActorName);
            csv.WriteField(e.Action);
            csv.WriteField(e.EntityType);
            csv.WriteField(e.EntityId);
            csv.WriteField(e.VmName);
            csv.WriteField(e.RequestId?.ToString());
            csv.WriteField(e.Details);
            csv.WriteField(e.IsDemo ? "demo" : "");
            csv.WriteField(e.PreviousHash);
            csv.WriteField(e.Hash);
            // EndRecordAsync writes out whenever its buffer is mostly full, so the response streams and memory stays flat.
            await csv.EndRecordAsync(ct);
        }

        await csv.FlushAsync(ct);
    }

    private static readonly string[] Columns = ["sequence", "at_utc", "actor_id", "actor_name", "action", "entity_type", "entity_id", "vm", "request_id", "details", "demo", "previous_hash", "hash"];
}
