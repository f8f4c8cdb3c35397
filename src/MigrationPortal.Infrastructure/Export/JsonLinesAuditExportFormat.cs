using System.Text.Json;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Audit;

namespace MigrationPortal.Infrastructure.Export;

/// <summary>One JSON object per line (JSON Lines), written as events are read.</summary>
public sealed class JsonLinesAuditExportFormat : IAuditExportFormat
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    public string Name => "jsonl";
    public string ContentType => "application/x-ndjson; charset=utf-8";
    public string FileExtension => "jsonl";

    public async Task WriteAsync(IAsyncEnumerable<AuditEvent> events, Stream output, CancellationToken ct)
    {
        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        var rows = 0;
        await foreach (var e in events.WithCancellation(ct))
        {
            json.WriteStartObject();
            json.WriteNumber("sequence", e.Sequence);
            json.WriteString("at", e.At.UtcDateTime);
            json.WriteString("actorId", e.ActorId);
            json.WriteString("actorName", e.ActorName);
            json.WriteString("action", e.Action);
            json.WriteString("entityType", e.EntityType);
            json.WriteString("entityId", e.EntityId);
            json.WriteString("vm", e.VmName);
            if (e.RequestId is { } id) json.WriteString("requestId", id);
            else json.WriteNull("requestId");
            json.WriteString("details", e.Details);
            json.WriteBoolean("demo", e.IsDemo);
            json.WriteString("previousHash", e.PreviousHash);
            json.WriteString("hash", e.Hash);
            json.WriteEndObject();
            await json.FlushAsync(ct);
            json.Reset();
            await output.WriteAsync(NewLine, ct);
            if (++rows % 1000 == 0) await output.FlushAsync(ct);
        }

        await output.FlushAsync(ct);
    }
}
