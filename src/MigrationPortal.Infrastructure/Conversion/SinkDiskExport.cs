using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Conversion;

/// <summary>
/// The write-only export qemu-img converts into, forwarding to a sink that takes bytes strictly in order. qemu-img is told
/// the target reads as zeros (--target-is-zero), so it writes only data, in ascending order (no -W); a gap before a write,
/// and WRITE_ZEROES or TRIM at the end, become holes (<see cref="IDiskSink.SkipAsync"/>). Anything aimed before the
/// sink's position cannot be carried and fails the request (EIO) with a message that says so.
/// </summary>
internal sealed class SinkDiskExport(IDiskSink sink, long capacityBytes) : INbdExport
{
    public long Size => capacityBytes;

    public ushort TransmissionFlags =>
        NbdProtocol.TxHasFlags | NbdProtocol.TxSendFlush | NbdProtocol.TxSendTrim | NbdProtocol.TxSendWriteZeroes;

    public bool ConcurrentReads => false;

    /// <summary>Bytes passed to the sink as data (the rest of what it holds are holes).</summary>
    public long DataBytes { get; private set; }

    public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct) =>
        throw new NbdRequestException(NbdProtocol.EPERM, "the destination is write-only");

    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (data.IsEmpty)
        {
            return;
        }
        await CatchUpAsync(offset, "write", ct);
        await sink.WriteAsync(data, ct);
        DataBytes += data.Length;
    }

    public async ValueTask ZeroAsync(long offset, long length, CancellationToken ct)
    {
        if (length == 0)
        {
            return;
        }
        await CatchUpAsync(offset, "write of zeros", ct);
        await sink.SkipAsync(length, ct);
    }

    // The sink commits in FinishAsync, which its owner calls after the conversion; there is nothing to flush before.
    public ValueTask FlushAsync(CancellationToken ct) => ValueTask.CompletedTask;

    private async Task CatchUpAsync(long offset, string what, CancellationToken ct)
    {
        var position = sink.Position;
        if (offset < position)
        {
            throw new NbdRequestException(NbdProtocol.EIO,
                $"qemu-img sent a {what} at offset {offset}, behind the destination's position {position}: the upload is a stream and cannot go back");
        }
        if (offset > position)
        {
            await sink.SkipAsync(offset - position, ct); // qemu-img skips what it knows reads as zeros on the target.
        }
    }
}
