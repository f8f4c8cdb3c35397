using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Conversion;

/// <summary>
/// The read-only export of a source disk (raw bytes or a VMDK, as the export serves them), read in parallel by qemu-img's
/// coroutines. Counts the distinct bytes served: the conversion's progress.
/// </summary>
internal sealed class SourceDiskExport(IRandomAccessDisk disk) : INbdExport
{
    private readonly ReadCoverage coverage = new();

    public long Size => disk.Length;

    public ushort TransmissionFlags => NbdProtocol.TxHasFlags | NbdProtocol.TxReadOnly;

    public bool ConcurrentReads => true;

    /// <summary>The distinct bytes served so far (a range read twice counts once), at most the disk's length.</summary>
    public long BytesRead => coverage.Covered;

    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await disk.ReadAsync(offset + filled, buffer[filled..], ct);
            if (read <= 0)
            {
                throw new IOException($"The source disk ended at offset {offset + filled}, before its length of {disk.Length} bytes.");
            }
            coverage.Add(offset + filled, read);
            filled += read;
        }
    }

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken ct) =>
        throw new NbdRequestException(NbdProtocol.EPERM, "the source is read-only");

    public ValueTask ZeroAsync(long offset, long length, CancellationToken ct) =>
        throw new NbdRequestException(NbdProtocol.EPERM, "the source is read-only");

    public ValueTask FlushAsync(CancellationToken ct) => ValueTask.CompletedTask;
}
