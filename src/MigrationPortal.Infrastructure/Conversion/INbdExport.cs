namespace MigrationPortal.Infrastructure.Conversion;

/// <summary>
/// What one NBD server serves: a single export of a fixed size. A request the export refuses throws
/// <see cref="NbdRequestException"/> with the protocol error to answer; any other exception is answered with EIO and
/// kept by the server as the reason a conversion failed.
/// </summary>
internal interface INbdExport
{
    long Size { get; }

    /// <summary>The NBD transmission flags (read-only, flush, trim, write zeroes) the export advertises.</summary>
    ushort TransmissionFlags { get; }

    /// <summary>Whether reads may run in parallel (a source served to qemu-img's coroutines); writes are always taken one at a time, in arrival order.</summary>
    bool ConcurrentReads { get; }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/> (the server has checked the range).</summary>
    ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct);

    ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken ct);

    /// <summary>NBD_CMD_WRITE_ZEROES or NBD_CMD_TRIM: the range reads back as zeros.</summary>
    ValueTask ZeroAsync(long offset, long length, CancellationToken ct);

    ValueTask FlushAsync(CancellationToken ct);
}

/// <summary>A request an export refuses, with the NBD error (an errno value) the reply carries.</summary>
internal sealed class NbdRequestException(uint error, string message) : Exception(message)
{
    public uint Error { get; } = error;
}
