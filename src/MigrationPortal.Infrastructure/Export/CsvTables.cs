using System.Globalization;
using CsvHelper;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Common;

namespace MigrationPortal.Infrastructure.Export;

/// <summary>
/// CSV tables through CsvHelper. Writing uses the audit export's options, so a cell starting with =, +, -, @, tab or
/// carriage return is prefixed with an apostrophe and a spreadsheet shows it as text instead of running it.
/// </summary>
public sealed class CsvTables : ICsvTables
{
    /// <summary>
    /// The separator is detected (Excel writes ';' in many locales) and malformed quoting is refused rather than guessed at.
    /// Rows are the lines where records start, which is what a spreadsheet shows unless a cell holds a line break.
    /// </summary>
    private static readonly CsvReaderOptions ReadOptions = new()
    {
        HasHeader = true,
        TrimWhitespace = true,
        TrackLineNumbers = true,
        MalformedData = CsvMalformedDataHandling.Throw,
        DetectSeparatorHint = true,
        FormatProvider = CultureInfo.InvariantCulture,
        MaxRecordSize = 1 << 20,
    };

    public async Task<CsvSheet> ReadAsync(Stream input, int maxRecords, CancellationToken ct)
    {
        var records = new List<CsvRecord>();
        IReadOnlyList<string> headers;
        try
        {
            await using var csv = CsvReader.Create(input, ReadOptions, leaveOpen: true);
            await csv.ReadHeaderAsync(ct);
            headers = csv.Headers.ToList();
            while (await csv.ReadAsync(ct))
            {
                var fields = new string[csv.FieldCount];
                for (var i = 0; i < fields.Length; i++) fields[i] = csv.GetString(i);
                // A line of empty cells (a spreadsheet's trailing rows) is not a row anyone meant to submit.
                if (fields.All(string.IsNullOrWhiteSpace)) continue;
                if (records.Count == maxRecords)
                    throw ValidationFailedException.For("File", $"The file has more than {maxRecords:N0} rows below its header: split it.");
                records.Add(new CsvRecord((int)csv.LineNumber, fields));
            }
        }
        catch (CsvFormatException e)
        {
            throw ValidationFailedException.For("File", $"Row {(e.LineNumber > 0 ? e.LineNumber : e.RecordNumber)} is not valid CSV: {e.Message.Split('\n')[0].Trim()}");
        }

        if (headers.Count == 0 || headers.All(string.IsNullOrWhiteSpace))
            throw ValidationFailedException.For("File", "The file is empty: it needs a header row and one row per VM.");
        return new CsvSheet(headers, records);
    }

    public async Task WriteAsync(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows, Stream output, CancellationToken ct)
    {
        await using var csv = CsvWriter.Create(output, CsvAuditExportFormat.Options, leaveOpen: true);
        foreach (var header in headers) csv.WriteField(header);
        await csv.EndRecordAsync(ct);
        foreach (var row in rows)
        {
            foreach (var field in row) csv.WriteField(field);
            await csv.EndRecordAsync(ct);
        }

        await csv.FlushAsync(ct);
    }
}
