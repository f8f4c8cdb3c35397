using System.Globalization;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Connectors.Libvirt.Native;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// A sparse upload into a pool volume (virStorageVolUpload with VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM): data goes out
/// with virStreamSend, runs of zeros with virStreamSendHole, so a 1 GiB disk holding 200 MiB moves 200 MiB and the
/// volume stays sparse. Writes are gathered into an 8 MiB buffer and sent by a thread of the sink's own (libvirt's stream
/// calls block) while the caller fills the second buffer, so reading the source and sending overlap.
/// </summary>
/// <remarks>
/// For a qcow2 target the bytes go into a raw staging volume, and <see cref="FinishAsync"/> makes the qcow2 volume from
/// it (virStorageVolCreateXMLFrom, which runs qemu-img convert on the host) and deletes the staging volume: a qcow2 file
/// allocates its clusters and tables as guest offsets are first written, so it cannot be produced by a stream written once
/// in order, and libvirt's upload into a qcow2 volume writes the stream's bytes as the file itself, not as guest data.
/// </remarks>
internal sealed class LibvirtVolumeSink : IDiskSink
{
    /// <summary>How much the caller's writes are gathered before a send: large enough that the per-call cost vanishes.</summary>
    internal const int BufferSize = 8 * 1024 * 1024;

    /// <summary>
    /// The most one virStreamSend is given: libvirt's RPC carries a stream in messages of at most 256 KiB of payload, so
    /// larger calls are split by the portal rather than refused by an older client library.
    /// </summary>
    private const int ChunkSize = 256 * 1024;

    private readonly LibvirtWorker _worker;
    private readonly LibvirtConnection _connection;
    private readonly StoragePoolHandle _pool;
    private readonly StorageVolHandle _uploadVolume;
    private readonly StreamHandle _stream;
    private readonly VolumeRef _target;
    private readonly string? _stagingName;
    private readonly TimeProvider _time;
    private readonly long _startedAt;

    private byte[] _fill = new byte[BufferSize];
    private byte[] _spare = new byte[BufferSize];
    private int _filled;
    private Task _sending = Task.CompletedTask;
    private long _dataBytes;
    private long _holeBytes;
    private bool _finished;
    private bool _disposed;

    internal LibvirtVolumeSink(LibvirtWorker worker, LibvirtConnection connection, StoragePoolHandle pool, StorageVolHandle uploadVolume, StreamHandle stream,
        VolumeRef target, string? stagingName, long capacity, TimeProvider time)
    {
        _worker = worker;
        _connection = connection;
        _pool = pool;
        _uploadVolume = uploadVolume;
        _stream = stream;
        _target = target;
        _stagingName = stagingName;
        _time = time;
        Capacity = capacity;
        _startedAt = time.GetTimestamp();
    }

    public long Capacity { get; }

    public long Position { get; private set; }

    /// <summary>What the finished upload moved, and how fast ("200.0 MiB data + 824.0 MiB holes in 0.41 s, 487.8 MiB/s of data").</summary>
    public string? Summary { get; private set; }

    /// <summary>The wall time from the volume's creation to the end of <see cref="FinishAsync"/>.</summary>
    public TimeSpan Elapsed { get; private set; }

    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        EnsureOpen(data.Length);
        while (!data.IsEmpty)
        {
            var take = Math.Min(data.Length, BufferSize - _filled);
            data.Span[..take].CopyTo(_fill.AsSpan(_filled));
            _filled += take;
            Position += take;
            data = data[take..];
            if (_filled == BufferSize) await HandOffAsync(ct);
        }
    }

    public async Task SkipAsync(long length, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        EnsureOpen(length);
        if (length == 0) return;
        if (_filled > 0) await HandOffAsync(ct);
        Position += length;
        _holeBytes += length;
        _sending = ThenAsync(_sending, () => SendHole(length));
    }

    public async Task FinishAsync(CancellationToken ct)
    {
        EnsureOpen(0);
        if (_filled > 0) await HandOffAsync(ct);
        // The rest of the volume is a hole: the stream must cover the whole capacity before libvirt commits it.
        if (Position < Capacity) await SkipAsync(Capacity - Position, ct);
        _sending = ThenAsync(_sending, () => LibvirtConnection.Check(LibvirtNative.virStreamFinish(_stream), "virStreamFinish", _connection.Host));
        await _sending.WaitAsync(ct);
        _finished = true;
        if (_stagingName is not null) await _worker.Run(ConvertStaging).WaitAsync(ct);
        Elapsed = _time.GetElapsedTime(_startedAt);
        var seconds = Math.Max(Elapsed.TotalSeconds, 0.001);
        Summary = string.Create(CultureInfo.InvariantCulture,
            $"{_dataBytes / (double)MiB:0.0} MiB data + {_holeBytes / (double)MiB:0.0} MiB holes into {_target.Name} in pool {_target.Pool} on {_connection.Host} "
            + $"in {seconds:0.00} s, {_dataBytes / (double)MiB / seconds:0.0} MiB/s of data{(_stagingName is null ? "" : " (staged raw, converted to qcow2 on the host)")}");
    }

    private const long MiB = 1024 * 1024;

    private void EnsureOpen(long adding)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished) throw new InvalidOperationException($"The upload into {_target.Name} is finished.");
        if (Position + adding > Capacity)
            throw new LibvirtException(LibvirtException.InvalidArg, LibvirtException.FromNone,
                $"Writing {adding} bytes at offset {Position} would pass the end of volume {_target.Name} ({Capacity} bytes).", "virStreamSend", _connection.Host);
    }

    /// <summary>Gives the filled buffer to the sending thread once the previous one is sent, and carries on in the other buffer.</summary>
    private async Task HandOffAsync(CancellationToken ct)
    {
        await _sending.WaitAsync(ct);
        var buffer = _fill;
        var count = _filled;
        (_fill, _spare) = (_spare, _fill);
        _filled = 0;
        _dataBytes += count;
        _sending = _worker.Run(() => SendData(buffer, count));
    }

    private async Task ThenAsync(Task previous, Action next)
    {
        await previous;
        await _worker.Run(next);
    }

    private unsafe void SendData(byte[] buffer, int count)
    {
        fixed (byte* start = buffer)
        {
            var sent = 0;
            while (sent < count)
            {
                var rc = LibvirtNative.virStreamSend(_stream, start + sent, (nuint)Math.Min(ChunkSize, count - sent));
                if (rc < 0) throw LibvirtException.FromLastError("virStreamSend", _connection.Host);
                sent += rc;
            }
        }
    }

    private void SendHole(long length) =>
        LibvirtConnection.Check(LibvirtNative.virStreamSendHole(_stream, length, 0), "virStreamSendHole", _connection.Host);

    /// <summary>Makes the qcow2 volume from the raw staging volume, then deletes the staging volume.</summary>
    private void ConvertStaging()
    {
        var xml = LibvirtConnector.VolumeXml(_target.Name, Capacity, ConvertedDiskFormat.Qcow2);
        using (var made = LibvirtNative.virStorageVolCreateXMLFrom(_pool, xml, _uploadVolume, 0))
            if (made.IsInvalid) throw LibvirtException.FromLastError("virStorageVolCreateXMLFrom", _connection.Host);
        LibvirtConnection.Check(LibvirtNative.virStorageVolDelete(_uploadVolume, 0), "virStorageVolDelete", _connection.Host);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            await _sending;
        }
        catch (Exception)
        {
            // The failure was (or will be) reported by the call that awaited it; the stream is aborted below all the same.
        }

        await _worker.Run(() =>
        {
            if (!_finished)
            {
                // Disposed without a finish: libvirt drops the upload; the partial raw staging volume is the sink's own and goes
                // too, while a partial target volume stays for the roll-back (RemoveConvertedAsync) to remove and report.
                if (LibvirtNative.virStreamAbort(_stream) < 0) LibvirtNative.virResetLastError();
                if (_stagingName is not null && LibvirtNative.virStorageVolDelete(_uploadVolume, 0) < 0) LibvirtNative.virResetLastError();
            }

            _stream.Dispose();
            _uploadVolume.Dispose();
            _pool.Dispose();
            _connection.Dispose();
        });
        _worker.Dispose();
    }
}
