using MigrationPortal.Domain.Audit;

namespace MigrationPortal.Application.Abstractions;

/// <summary>One audit export format (CSV, JSON Lines). Writes as it reads, so memory stays flat however many events there are.</summary>
public interface IAuditExportFormat
{
    /// <summary>Short name used in URLs: "csv" or "jsonl".</summary>
    string Name { get; }

    string ContentType { get; }

    string FileExtension { get; }

    Task WriteAsync(IAsyncEnumerable<AuditEvent> events, Stream output, CancellationToken ct);
}
