using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Connectors.Libvirt.Native;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// The destination side of a VMware-to-KVM conversion on the plan's target host (a host URI of the destination
/// connection, opened with that connection's TLS material and pin like every other call): pool room, name and UUID
/// clashes, networks and bridges, sparse volume uploads (<see cref="LibvirtVolumeSink"/>), the converted domain
/// (<see cref="ConvertedDomainXml"/>), its first boot proved on the serial console or by the guest agent, and the removal
/// of all of it on a roll-back. Only what carries this request's conversion metadata is ever removed.
/// </summary>
public sealed partial class LibvirtConnector : IConversionDestination
{
    // virStorageVolUploadFlags, virDomainCreateFlags, virDomainConsoleFlags, virDomainUndefineFlagsValues
    private const uint UploadSparseStream = 1, StartPaused = 1, ConsoleForce = 1, UndefineManagedSave = 1, UndefineNvram = 4;

    /// <summary>How long one guest-agent ping may wait, and how often it is tried while the console is read.</summary>
    private const int AgentPingTimeoutSeconds = 1;
    private static readonly TimeSpan AgentPingInterval = TimeSpan.FromSeconds(2);

    private const int ConsoleExcerptLines = 20;

    public Task<PoolSpace> GetPoolSpaceAsync(MigrationPlan plan, string pool, CancellationToken ct) => OnLibvirtThread(() =>
    {
        using var session = new LibvirtSession(plan.Destination);
        var host = session.Connect(TargetHost(plan, session));
        using var handle = RequirePool(host, pool);
        var active = LibvirtNative.virStoragePoolIsActive(handle) == 1;
        // A dir pool knows only the files it saw at its last refresh; an inactive pool cannot be refreshed (its last sizes are all there is).
        if (active) LibvirtConnection.Check(LibvirtNative.virStoragePoolRefresh(handle, 0), "virStoragePoolRefresh", host.Host);
        LibvirtConnection.Check(LibvirtNative.virStoragePoolGetInfo(handle, out var info), "virStoragePoolGetInfo", host.Host);
        return new PoolSpace(pool, (long)info.Capacity, (long)info.Available, active);
    }, ct);

    public Task<DomainClash> FindClashAsync(MigrationPlan plan, string name, string? uuid, CancellationToken ct) => OnLibvirtThread(() =>
    {
        using var session = new LibvirtSession(plan.Destination);
        var host = session.Connect(TargetHost(plan, session));
        string? byName = null;
        using (var domain = FindDomainByName(host, name))
            if (domain is not null) byName = $"{domain.Name} ({domain.Uuid})";
        string? byUuid = null;
        if (!string.IsNullOrWhiteSpace(uuid))
            using (var domain = host.FindDomain(uuid))
                if (domain is not null) byUuid = $"{domain.Name} ({domain.Uuid})";
        return new DomainClash(byName, byUuid);
    }, ct);

    public Task<(bool Exists, string Message)> NetworkExistsAsync(MigrationPlan plan, NetworkTargetKind kind, string name, CancellationToken ct) => OnLibvirtThread(() =>
    {
        using var session = new LibvirtSession(plan.Destination);
        var host = session.Connect(TargetHost(plan, session));
        return kind == NetworkTargetKind.Network ? FindNetwork(host, name) : FindBridge(host, name);
    }, ct);

    public async Task<IDiskSink> CreateVolumeAsync(MigrationPlan plan, VolumeRef volume, long capacityBytes, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        // The sink's own thread makes every call of the upload, from the volume's creation to its finish or abort.
        var worker = new LibvirtWorker($"libvirt upload {volume.Name}");
        try
        {
            return await worker.Run(() => OpenUpload(plan, volume, capacityBytes, worker)).WaitAsync(ct);
        }
        catch
        {
            worker.Dispose();
            throw;
        }
    }

    private LibvirtVolumeSink OpenUpload(MigrationPlan plan, VolumeRef volume, long capacity, LibvirtWorker worker)
    {
        LibvirtConnection host;
        using (var session = new LibvirtSession(plan.Destination))
            host = session.ConnectOwned(TargetHost(plan, session, volume.HostId));
        StoragePoolHandle? pool = null;
        StorageVolHandle? upload = null;
        StreamHandle? stream = null;
        try
        {
            pool = RequirePool(host, volume.Pool);
            LibvirtConnection.Check(LibvirtNative.virStoragePoolRefresh(pool, 0), "virStoragePoolRefresh", host.Host);
            var staging = volume.Format == ConvertedDiskFormat.Qcow2 ? StagingName(volume.Name) : null;
            var inUse = DiskFilesInUse(host);
            foreach (var leftover in new[] { volume.Name, staging }.OfType<string>())
                DeleteLeftoverVolume(host, pool, volume.Pool, leftover, inUse);

            var xml = VolumeXml(staging ?? volume.Name, capacity, ConvertedDiskFormat.Raw);
            upload = LibvirtNative.virStorageVolCreateXML(pool, xml, 0);
            if (upload.IsInvalid) throw LibvirtException.FromLastError("virStorageVolCreateXML", host.Host);
            stream = LibvirtNative.virStreamNew(host.Handle, 0);
            if (stream.IsInvalid) throw LibvirtException.FromLastError("virStreamNew", host.Host);
            // Offset 0 and length 0: the whole volume, data and holes as the stream says.
            LibvirtConnection.Check(LibvirtNative.virStorageVolUpload(upload, stream, 0, 0, UploadSparseStream), "virStorageVolUpload", host.Host);
            _logger.LogInformation("Uploading {Capacity} bytes into {Volume} in pool {Pool} on {Host}{Staging}", capacity, volume.Name, volume.Pool, host.Host,
                staging is null ? "" : $" (through raw staging volume {staging})");
            return new LibvirtVolumeSink(worker, host, pool, upload, stream, volume, staging, capacity, _time);
        }
        catch
        {
            stream?.Dispose();
            if (upload is { IsInvalid: false } && LibvirtNative.virStorageVolDelete(upload, 0) < 0) LibvirtNative.virResetLastError();
            upload?.Dispose();
            pool?.Dispose();
            host.Dispose();
            throw;
        }
    }

    /// <summary>Removes a volume an interrupted earlier run left under this name, unless a domain uses it (then it is not a leftover).</summary>
    private void DeleteLeftoverVolume(LibvirtConnection host, StoragePoolHandle pool, string poolName, string name, Dictionary<string, string> inUse)
    {
        using var existing = FindVolumeByName(host, pool, name);
        if (existing is null) return;
        var path = LibvirtConnection.TakeString(LibvirtNative.virStorageVolGetPath(existing), "virStorageVolGetPath", host.Host);
        if (inUse.TryGetValue(path, out var user))
            throw new LibvirtException(LibvirtException.OperationInvalid, LibvirtException.FromNone,
                $"Pool {poolName} already holds volume {name} ({path}), in use by domain {user}: it is not a leftover of this conversion and is not replaced.", "virStorageVolCreateXML", host.Host);
        LibvirtConnection.Check(LibvirtNative.virStorageVolDelete(existing, 0), "virStorageVolDelete", host.Host);
        _logger.LogInformation("Removed volume {Volume} in pool {Pool} on {Host}, left by an earlier interrupted upload", name, poolName, host.Host);
    }

    public Task DefineDomainAsync(MigrationPlan plan, ConvertedDomainSpec spec, CancellationToken ct) => OnLibvirtThread(() =>
    {
        using var session = new LibvirtSession(plan.Destination);
        var host = session.Connect(TargetHost(plan, session));
        var paths = new List<string>(spec.Disks.Count);
        foreach (var disk in spec.Disks)
        {
            var diskHost = session.Connect(TargetHost(plan, session, disk.HostId));
            if (diskHost.Uri != host.Uri)
                throw new LibvirtException(LibvirtException.InvalidArg, LibvirtException.FromNone,
                    $"Volume {disk.Name} is on {diskHost.Host}, not on {host.Host} where domain {spec.Name} is defined.", "virDomainDefineXML", host.Host);
            using var pool = RequirePool(host, disk.Pool);
            using var volume = FindVolumeByName(host, pool, disk.Name)
                ?? throw new LibvirtException(LibvirtException.NoStorageVol, LibvirtException.FromNone, $"Pool {disk.Pool} holds no volume {disk.Name}.", "virStorageVolLookupByName", host.Host);
            paths.Add(LibvirtConnection.TakeString(LibvirtNative.virStorageVolGetPath(volume), "virStorageVolGetPath", host.Host));
        }

        var xml = ConvertedDomainXml.Build(spec, paths, Settings.ConvertedDomainType ?? DomainType(host));
        using var defined = host.DefineDomain(xml);
        _logger.LogInformation("Defined converted domain {Domain} ({Uuid}) on {Host} for request {Request}", spec.Name, defined.Uuid, host.Host, spec.RequestId);
        return true;
    }, ct);

    public Task<BootResult> BootAsync(MigrationPlan plan, string domainName, BootProbe probe, CancellationToken ct) => OnLibvirtThread(() =>
    {
        using var session = new LibvirtSession(plan.Destination);
        var host = session.Connect(TargetHost(plan, session));
        using var domain = FindDomainByName(host, domainName)
            ?? throw new LibvirtException(LibvirtException.NoDomain, LibvirtException.FromNone, $"Domain not found: no domain named {domainName}.", "virDomainLookupByName", host.Host);
        var pattern = new Regex(probe.ConsolePattern, RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        if (domain.State().IsActive())
        {
            // A boot left running by an earlier attempt: its console output is gone, so it starts over.
            LibvirtConnection.Check(LibvirtNative.virDomainDestroy(domain.Handle), "virDomainDestroy", host.Host);
        }

        // Paused first, so the console is attached before the guest's first instruction and no line is missed.
        LibvirtConnection.Check(LibvirtNative.virDomainCreateWithFlags(domain.Handle, StartPaused), "virDomainCreateWithFlags", host.Host);
        using var console = new ConsoleReader(session.ConnectOwned(host.Uri), domain.Uuid, _logger);
        LibvirtConnection.Check(LibvirtNative.virDomainResume(domain.Handle), "virDomainResume", host.Host);
        var started = _time.GetTimestamp();
        var agent = new AgentPing(domain, host.Host);
        var nextPing = TimeSpan.Zero;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var elapsed = _time.GetElapsedTime(started);
            if (pattern.IsMatch(console.Text))
                return new BootResult(true, $"serial console: /{probe.ConsolePattern}/ seen {elapsed.TotalSeconds:0.0} s after the start", console.Excerpt(ConsoleExcerptLines));
            string? stopped = null;
            if (elapsed >= nextPing || console.Ended)
            {
                nextPing = elapsed + AgentPingInterval;
                if (agent.TryPing())
                    return new BootResult(true, $"guest agent: guest-ping answered {_time.GetElapsedTime(started).TotalSeconds:0.0} s after the start", console.Excerpt(ConsoleExcerptLines));
                // Paused after the resume means QEMU stopped it (an emulation or I/O error): waiting longer cannot help.
                var state = domain.State();
                if (!state.IsActive() || state == DomainState.Paused) stopped = state.ToString().ToLowerInvariant();
            }

            if (elapsed >= probe.Timeout || stopped is not null)
            {
                var why = stopped is not null ? $"the domain is {stopped} after {elapsed.TotalSeconds:0.0} s (see its QEMU log on the host)" : $"no answer within {probe.Timeout.TotalSeconds:0.#} s";
                return new BootResult(false, $"{why}: /{probe.ConsolePattern}/ not seen on the serial console; guest agent: {agent.LastAnswer}", console.Excerpt(ConsoleExcerptLines));
            }

            console.WaitForOutput(TimeSpan.FromMilliseconds(250));
        }
    }, ct);

    public Task<CleanupReport> RemoveConvertedAsync(MigrationPlan plan, string domainName, IReadOnlyList<VolumeRef> volumes, CancellationToken ct) => OnLibvirtThread(() =>
    {
        using var session = new LibvirtSession(plan.Destination);
        var host = session.Connect(TargetHost(plan, session));
        var said = new List<string>();
        var kept = false;

        // The domain by its name, and any other this request's metadata names (a name changed between runs).
        var candidates = new List<LibvirtDomain>();
        var byName = FindDomainByName(host, domainName);
        if (byName is null) said.Add($"domain {domainName} was not there");
        else candidates.Add(byName);
        foreach (var other in host.ListDomains())
        {
            if (other.Name != domainName && ConvertedDomainXml.ReadMetadata(other.Metadata(ConvertedDomainXml.Namespace)).Request == plan.RequestId) candidates.Add(other);
            else other.Dispose();
        }

        foreach (var domain in candidates)
            using (domain)
            {
                var (request, source) = ConvertedDomainXml.ReadMetadata(domain.Metadata(ConvertedDomainXml.Namespace));
                if (request != plan.RequestId)
                {
                    kept = true;
                    said.Add($"domain {domain.Name} ({domain.Uuid}) was not removed: " + (request is null
                        ? "it carries no conversion metadata of the portal, so it is not this request's"
                        : $"its metadata names request {request} ({source}), not {plan.RequestId}"));
                    continue;
                }

                var wasRunning = domain.State().IsActive();
                if (wasRunning) LibvirtConnection.Check(LibvirtNative.virDomainDestroy(domain.Handle), "virDomainDestroy", host.Host);
                LibvirtConnection.Check(LibvirtNative.virDomainUndefineFlags(domain.Handle, UndefineManagedSave | UndefineNvram), "virDomainUndefineFlags", host.Host);
                said.Add($"domain {domain.Name} ({domain.Uuid}) {(wasRunning ? "stopped and " : "")}undefined");
            }

        foreach (var volume in volumes)
        {
            var volumeHost = session.Connect(TargetHost(plan, session, volume.HostId));
            var inUse = DiskFilesInUse(volumeHost);
            using var pool = FindPoolHandle(volumeHost, volume.Pool);
            if (pool is null)
            {
                said.Add($"volume {volume.Name} was not there (no pool {volume.Pool} on {volumeHost.Host})");
                continue;
            }

            if (LibvirtNative.virStoragePoolIsActive(pool) == 1)
                LibvirtConnection.Check(LibvirtNative.virStoragePoolRefresh(pool, 0), "virStoragePoolRefresh", volumeHost.Host);
            foreach (var name in new[] { volume.Name, StagingName(volume.Name) })
            {
                using var handle = FindVolumeByName(volumeHost, pool, name);
                if (handle is null)
                {
                    if (name == volume.Name) said.Add($"volume {name} in pool {volume.Pool} was not there");
                    continue;
                }

                var path = LibvirtConnection.TakeString(LibvirtNative.virStorageVolGetPath(handle), "virStorageVolGetPath", volumeHost.Host);
                if (inUse.TryGetValue(path, out var user))
                {
                    kept = true;
                    said.Add($"volume {name} in pool {volume.Pool} was not removed: domain {user} uses it");
                    continue;
                }

                LibvirtConnection.Check(LibvirtNative.virStorageVolGetInfo(handle, out var info), "virStorageVolGetInfo", volumeHost.Host);
                LibvirtConnection.Check(LibvirtNative.virStorageVolDelete(handle, 0), "virStorageVolDelete", volumeHost.Host);
                said.Add(string.Create(CultureInfo.InvariantCulture, $"volume {name} in pool {volume.Pool} removed ({info.Allocation / (double)MiB:0.#} MiB allocated)"));
            }
        }

        var text = $"On {host.Host}: {string.Join("; ", said)}.";
        return kept ? CleanupReport.Retained(text) : CleanupReport.Removed(text);
    }, ct);

    // --- helpers --------------------------------------------------------------------------------------------------

    /// <summary>
    /// The host a conversion call goes to: the plan's target host (or the volume's), which must be one of the destination
    /// connection's hosts, since only those are opened with its TLS material and checked against its pin.
    /// </summary>
    private static string TargetHost(MigrationPlan plan, LibvirtSession session, string? hostUri = null)
    {
        var uri = hostUri ?? plan.Target.HostId ?? (session.HostUris.Count == 1 ? session.HostUris[0]
            : throw new LibvirtException(LibvirtException.InvalidArg, LibvirtException.FromNone, $"The request names no target host on connection '{plan.Destination.Name}'.", "conversion"));
        return session.HostUris.Contains(uri, StringComparer.Ordinal) ? uri
            : throw new LibvirtException(LibvirtException.InvalidArg, LibvirtException.FromNone,
                $"{uri} is not a host of connection '{plan.Destination.Name}' ({string.Join(", ", session.HostUris)}); the portal connects only to the hosts a connection lists.", "conversion");
    }

    internal static string StagingName(string volumeName) => volumeName + ".mp-upload-raw";

    internal static string VolumeXml(string name, long capacity, ConvertedDiskFormat format) =>
        new XElement("volume",
            new XElement("name", name),
            new XElement("capacity", new XAttribute("unit", "bytes"), capacity.ToString(CultureInfo.InvariantCulture)),
            // Allocation 0: a sparse file, so only the data the upload sends takes room.
            new XElement("allocation", new XAttribute("unit", "bytes"), "0"),
            new XElement("target", new XElement("format", new XAttribute("type", format == ConvertedDiskFormat.Qcow2 ? "qcow2" : "raw")))).ToString();

    /// <summary>"kvm" where the host's capabilities offer it for x86_64 guests, else "qemu" (TCG, as on a host without /dev/kvm).</summary>
    private static string DomainType(LibvirtConnection host)
    {
        var caps = XDocument.Parse(host.Capabilities());
        var kvm = caps.Root?.Elements("guest")
            .Where(g => g.Element("os_type")?.Value == "hvm" && g.Element("arch")?.Attribute("name")?.Value == "x86_64")
            .SelectMany(g => g.Element("arch")!.Elements("domain"))
            .Any(d => d.Attribute("type")?.Value == "kvm") ?? false;
        return kvm ? "kvm" : "qemu";
    }

    private static StoragePoolHandle RequirePool(LibvirtConnection host, string name) =>
        FindPoolHandle(host, name) ?? throw new LibvirtException(LibvirtException.NoStoragePool, LibvirtException.FromNone, $"Storage pool not found: no pool named {name}.", "virStoragePoolLookupByName", host.Host);

    private static StoragePoolHandle? FindPoolHandle(LibvirtConnection host, string name)
    {
        var pool = LibvirtNative.virStoragePoolLookupByName(host.Handle, name);
        if (!pool.IsInvalid) return pool;
        var error = LibvirtException.FromLastError("virStoragePoolLookupByName", host.Host);
        pool.Dispose();
        return error.Code == LibvirtException.NoStoragePool ? null : throw error;
    }

    private static StorageVolHandle? FindVolumeByName(LibvirtConnection host, StoragePoolHandle pool, string name)
    {
        var volume = LibvirtNative.virStorageVolLookupByName(pool, name);
        if (!volume.IsInvalid) return volume;
        var error = LibvirtException.FromLastError("virStorageVolLookupByName", host.Host);
        volume.Dispose();
        return error.Code == LibvirtException.NoStorageVol ? null : throw error;
    }

    private static LibvirtDomain? FindDomainByName(LibvirtConnection host, string name)
    {
        var handle = LibvirtNative.virDomainLookupByName(host.Handle, name);
        if (!handle.IsInvalid) return new LibvirtDomain(handle, host.Host);
        var error = LibvirtException.FromLastError("virDomainLookupByName", host.Host);
        handle.Dispose();
        return error.Code == LibvirtException.NoDomain ? null : throw error;
    }

    private static (bool, string) FindNetwork(LibvirtConnection host, string name)
    {
        using var network = LibvirtNative.virNetworkLookupByName(host.Handle, name);
        if (network.IsInvalid)
        {
            var error = LibvirtException.FromLastError("virNetworkLookupByName", host.Host);
            return error.Code == LibvirtException.NoNetwork
                ? (false, $"{host.Host} has no libvirt network named {name} (virNetworkLookupByName).")
                : throw error;
        }

        var active = LibvirtNative.virNetworkIsActive(network) == 1;
        return (true, $"libvirt network {name} exists on {host.Host}{(active ? " and is active" : ", defined but not active: a domain on it cannot start until it is")}.");
    }

    /// <summary>A bridge is one of the host's interfaces (virConnectListAllInterfaces) whose definition says type='bridge'.</summary>
    private static (bool, string) FindBridge(LibvirtConnection host, string name)
    {
        var count = LibvirtNative.virConnectListAllInterfaces(host.Handle, out var array, 0);
        if (count < 0) throw LibvirtException.FromLastError("virConnectListAllInterfaces", host.Host);
        var names = new List<string>(count);
        (bool, string)? found = null;
        unsafe
        {
            var items = (nint*)array;
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var ifaceName = Marshal.PtrToStringUTF8(LibvirtNative.virInterfaceGetName(items[i])) ?? "";
                    names.Add(ifaceName);
                    if (ifaceName != name || found is not null) continue;
                    var xml = XElement.Parse(LibvirtConnection.TakeString(LibvirtNative.virInterfaceGetXMLDesc(items[i], 0), "virInterfaceGetXMLDesc", host.Host));
                    var type = xml.Attribute("type")?.Value ?? "unknown";
                    var active = LibvirtNative.virInterfaceIsActive(items[i]) == 1 ? "up" : "down";
                    found = type == "bridge"
                        ? (true, $"bridge {name} is an interface of {host.Host} ({active}).")
                        : (false, $"{name} is an interface of {host.Host}, but of type {type}, not a bridge; a domain cannot attach to it as a bridge.");
                }
            }
            finally
            {
                for (var i = 0; i < count; i++) LibvirtNative.virInterfaceFree(items[i]);
                NativeMemory.Free((void*)array);
            }
        }

        return found ?? (false, $"{host.Host} has no interface named {name} (virConnectListAllInterfaces lists {(names.Count == 0 ? "none" : string.Join(", ", names))}).");
    }

    /// <summary>
    /// The domain's serial console, read from a non-blocking stream over a connection of its own, by whoever polls it: no
    /// thread ever sits in a receive. libvirt's client only reads its socket while some call on that connection waits for
    /// a reply (the portal runs no libvirt event loop), so each <see cref="Poll"/> makes one cheap call
    /// (virConnectGetLibVersion), which queues whatever console data has arrived, then takes the queued data until
    /// virStreamRecv says it would block (-2). Ending is an abort from the same thread.
    /// The first design (a thread blocked in virStreamRecv, ended by a FORCE takeover of the console from another
    /// connection) sometimes never ended: the takeover did not reach the blocked receive, the thread outlived its domain,
    /// and later calls to that host stalled for minutes or the process crashed. Control characters and ANSI sequences are
    /// stripped, so the pattern and the recorded excerpt see text.
    /// </summary>
    private sealed partial class ConsoleReader : IDisposable
    {
        /// <summary>VIR_STREAM_NONBLOCK.</summary>
        private const uint NonBlocking = 1;

        private readonly LibvirtConnection _connection;
        private readonly LibvirtDomain _domain;
        private readonly StreamHandle _stream;
        private readonly ILogger _logger;
        private readonly StringBuilder _text = new();
        private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
        private readonly byte[] _buffer = new byte[64 * 1024];
        private readonly char[] _chars = new char[Encoding.UTF8.GetMaxCharCount(64 * 1024)];
        private bool _ended;

        /// <param name="connection">The reader's own connection to the host, which it closes.</param>
        public ConsoleReader(LibvirtConnection connection, string domainUuid, ILogger logger)
        {
            _connection = connection;
            _logger = logger;
            try
            {
                _domain = connection.RequireDomain(domainUuid);
                _stream = OpenConsole(connection, _domain);
            }
            catch
            {
                _domain?.Dispose();
                connection.Dispose();
                throw;
            }
        }

        /// <summary>The console ended (the domain stopped) or can no longer be read.</summary>
        public bool Ended => _ended;

        public string Text => _text.ToString();

        /// <summary>Waits, then takes what the console printed meanwhile.</summary>
        public void WaitForOutput(TimeSpan wait)
        {
            Thread.Sleep(wait);
            Poll();
        }

        public string Excerpt(int lines)
        {
            var all = Text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.Length > 0).ToList();
            return string.Join('\n', all.Skip(Math.Max(0, all.Count - lines)));
        }

        /// <summary>FORCE: a console left open by an earlier attempt (or an administrator's virsh console) is taken over.</summary>
        private static StreamHandle OpenConsole(LibvirtConnection connection, LibvirtDomain domain)
        {
            var stream = LibvirtNative.virStreamNew(connection.Handle, NonBlocking);
            if (stream.IsInvalid) throw LibvirtException.FromLastError("virStreamNew", connection.Host);
            if (LibvirtNative.virDomainOpenConsole(domain.Handle, null, stream, ConsoleForce) < 0)
            {
                var error = LibvirtException.FromLastError("virDomainOpenConsole", connection.Host);
                stream.Dispose();
                throw error;
            }

            return stream;
        }

        /// <summary>One call on the reader's connection (so its client reads the socket), then all the console data queued.</summary>
        public unsafe void Poll()
        {
            if (_ended) return;
            if (LibvirtNative.virConnectGetLibVersion(_connection.Handle, out _) < 0)
            {
                // The connection is gone: nothing more will come.
                LibvirtNative.virResetLastError();
                _ended = true;
                return;
            }

            fixed (byte* data = _buffer)
            {
                while (true)
                {
                    var read = LibvirtNative.virStreamRecv(_stream, data, (nuint)_buffer.Length);
                    if (read == -2) return; // nothing more queued for now
                    if (read <= 0)
                    {
                        // 0: the guest's side closed (the domain stopped); -1: taken over, aborted or failed.
                        if (read < 0) LibvirtNative.virResetLastError();
                        _ended = true;
                        return;
                    }

                    var count = _decoder.GetChars(_buffer, 0, read, _chars, 0);
                    _text.Append(Clean(new string(_chars, 0, count)));
                    // Only the tail is ever looked at; a chatty guest must not grow this without bound.
                    if (_text.Length > 1024 * 1024) _text.Remove(0, _text.Length - 512 * 1024);
                }
            }
        }

        private static string Clean(string raw) => Controls().Replace(Ansi().Replace(raw, ""), "");

        /// <summary>Aborts the stream (no thread is inside it) and closes the reader's connection; the domain keeps running.</summary>
        public void Dispose()
        {
            if (!_ended && LibvirtNative.virStreamAbort(_stream) < 0)
            {
                _logger.LogDebug("Aborting the console stream of {Domain} failed: {Reason}", _domain.Name, LibvirtException.FromLastError("virStreamAbort", _connection.Host).Message);
                LibvirtNative.virResetLastError();
            }

            _stream.Dispose();
            _domain.Dispose();
            _connection.Dispose();
        }

        [GeneratedRegex(@"\x1B(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1B]*(\x07|\x1B\\)|[@-Z\\-_])")]
        private static partial Regex Ansi();

        [GeneratedRegex(@"[\x00-\x08\x0B-\x1F\x7F]")]
        private static partial Regex Controls();
    }

    /// <summary>
    /// guest-ping through virDomainQemuAgentCommand (libvirt-qemu.so.0). That library is optional on a portal node:
    /// without it (or without the function) the ping is skipped and the console alone decides.
    /// </summary>
    private sealed class AgentPing(LibvirtDomain domain, string host)
    {
        private bool _unavailable;

        public string LastAnswer { get; private set; } = "not tried";

        public bool TryPing()
        {
            if (_unavailable) return false;
            nint answer;
            try
            {
                answer = LibvirtNative.virDomainQemuAgentCommand(domain.Handle, """{"execute":"guest-ping"}""", AgentPingTimeoutSeconds, 0);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                _unavailable = true;
                LastAnswer = "not pinged: libvirt-qemu.so.0 (virDomainQemuAgentCommand) is not installed on this portal node";
                return false;
            }

            if (answer == 0)
            {
                LastAnswer = LibvirtException.FromLastError("virDomainQemuAgentCommand", host).LibvirtMessage;
                return false;
            }

            var json = LibvirtConnection.TakeString(answer, "virDomainQemuAgentCommand", host);
            LastAnswer = json;
            return json.Contains("\"return\"", StringComparison.Ordinal);
        }
    }
}
