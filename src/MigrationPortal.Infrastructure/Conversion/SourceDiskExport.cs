using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Conversion;

/// <summary>
/// The read-only export of a source disk (raw bytes or a VMDK, as the export serves them), read in parallel by qemu-img's
/// coroutines. Counts the bytes served: the conversion's progress.
/// </summary>
internal sealed class SourceDiskExport(IRandomAccessDisk disk) : INbdExport
{
    private long bytesRead;

    public long Size => disk.Length;

    public ushort TransmissionFlags => NbdProtocol.TxHasFlags | NbdProtocol.TxReadOnly;

    public bool ConcurrentReads => true;

    /// <summary>The bytes served so far (a range read twice counts twice).</summary>
    public long BytesRead => Interlocked.Read(ref bytesRead);

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
            filled += read;
            Interlocked.Add(ref bytesRead, read);
        }
    }

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken ct) =>
        throw new NbdRequestException(NbdProtocol.EPERM, "the source is read-only");

    public ValueTask ZeroAsync(long offset, long length, CancellationToken ct) =>
        throw new NbdRequestException(NbdProtocol.EPERM, "the source is read-only");

    public ValueTask FlushAsync(CancellationToken ct) => ValueTask.CompletedTask;
}
