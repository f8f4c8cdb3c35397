namespace MigrationPortal.Application.Abstractions;

/// <summary>
/// Converts one exported disk into the guest's raw bytes, streamed in order into a sink, with no temporary copy of the
/// whole disk: qemu-img reads the source through an NBD server the portal serves from the export, and writes into
/// another that forwards to the sink. Progress is the count of the source's bytes read.
/// </summary>
public interface IDiskConverter
{
    Task ConvertAsync(IRandomAccessDisk source, long capacityBytes, IDiskSink sink, Func<long, Task> onProgress, CancellationToken ct);
}
