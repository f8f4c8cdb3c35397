namespace MigrationPortal.Application.Abstractions;

/// <summary>One record of a CSV file: <paramref name="Row"/> is its row as a spreadsheet shows it (the header is row 1).</summary>
public sealed record CsvRecord(int Row, IReadOnlyList<string> Fields);

/// <summary>A CSV file as read: the header's fields and the records below it.</summary>
public sealed record CsvSheet(IReadOnlyList<string> Headers, IReadOnlyList<CsvRecord> Records);

/// <summary>Reads and writes plain CSV tables (RFC 4180), so use cases need no CSV library.</summary>
public interface ICsvTables
{
    /// <summary>
    /// Reads a header and at most <paramref name="maxRecords"/> records. A file that is not CSV, is empty, or has more
    /// records throws a ValidationFailedException on the field "File".
    /// </summary>
    Task<CsvSheet> ReadAsync(Stream input, int maxRecords, CancellationToken ct);

    /// <summary>Writes a header and rows, escaping every cell a spreadsheet would run as a formula (as the audit export does).</summary>
    Task WriteAsync(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows, Stream output, CancellationToken ct);
}
