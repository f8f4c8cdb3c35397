using System.Runtime.InteropServices;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Infrastructure.Connectors.Libvirt.Native;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// A libvirt error with libvirt's own code (virErrorNumber), domain (virErrorDomain) and message. The fault type the
/// portal shows is "libvirt:" plus the code's name, so an administrator can look it up in libvirt's documentation.
/// </summary>
/// <remarks>
/// A failure of a call on a host names that host (its name and URI) ahead of libvirt's own text, so a reason such as
/// "internal error: client socket is closed" says where it happened; <see cref="LibvirtMessage"/> keeps libvirt's text alone.
/// </remarks>
public sealed class LibvirtException(int code, int errorDomain, string message, string operation, string? host = null)
    : ConnectorException($"libvirt:{CodeName(code)}", host is null ? message : $"{host}: {message}")
{
    /// <summary>VIR_FROM_NONE: the error domain of an error the portal raises itself rather than reads from libvirt.</summary>
    public const int FromNone = 0;

    /// <summary>VIR_ERR_OK: no error was recorded.</summary>
    public const int Ok = 0;

    /// <summary>VIR_ERR_OPERATION_ABORTED: a job was cancelled (virDomainAbortJob).</summary>
    public const int OperationAborted = 78;

    /// <summary>VIR_ERR_NO_DOMAIN.</summary>
    public const int NoDomain = 42;

    /// <summary>VIR_ERR_NO_NETWORK.</summary>
    public const int NoNetwork = 43;

    /// <summary>VIR_ERR_AGENT_UNRESPONSIVE: the guest agent is not connected or did not answer.</summary>
    public const int AgentUnresponsive = 86;

    /// <summary>VIR_ERR_NO_STORAGE_POOL / VIR_ERR_NO_STORAGE_VOL.</summary>
    public const int NoStoragePool = 49, NoStorageVol = 50;

    /// <summary>VIR_ERR_OPERATION_INVALID: for example a block copy refused for a persistent domain.</summary>
    public const int OperationInvalid = 55;

    /// <summary>VIR_ERR_INVALID_ARG: for example an unknown flag on an older libvirt.</summary>
    public const int InvalidArg = 8;

    /// <summary>VIR_ERR_GNUTLS_ERROR: also used for the portal's own TLS probe of a host.</summary>
    public const int TlsError = 40;

    /// <summary>VIR_ERR_NO_SUPPORT.</summary>
    public const int NoSupport = 3;

    /// <summary>VIR_ERR_INTERNAL_ERROR: for example "client socket is closed" when a peer daemon went away.</summary>
    public const int InternalError = 1;

    /// <summary>VIR_ERR_SYSTEM_ERROR: an OS call failed, such as reading a certificate file.</summary>
    public const int SystemError = 38;

    /// <summary>VIR_ERR_RPC: the connection to a daemon failed.</summary>
    public const int Rpc = 39;

    /// <summary>VIR_ERR_NO_DOMAIN_METADATA: the domain has no metadata element in the namespace asked for.</summary>
    public const int NoDomainMetadata = 80;

    /// <summary>VIR_ERR_BLOCK_COPY_ACTIVE: a block copy is not ready to pivot yet.</summary>
    public const int BlockCopyActive = 83;

    /// <summary>VIR_ERR_OPERATION_UNSUPPORTED.</summary>
    public const int OperationUnsupported = 84;

    /// <summary>VIR_ERR_OPERATION_FAILED, VIR_ERR_AUTH_FAILED, VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_OPERATION_TIMEOUT,
    /// VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_ERR_MIGRATE_UNSAFE: named in the fault type only.</summary>
    public const int OperationFailed = 9, AuthFailed = 45, ConfigUnsupported = 67, OperationTimeout = 68, ArgumentUnsupported = 74, MigrateUnsafe = 81;

    public int Code { get; } = code;

    /// <summary>The host the failing call went to ("lab-b (qemu+tls://10.0.0.2/system)"), or null when no host was involved.</summary>
    public string? Host { get; } = host;

    /// <summary>The message without the host.</summary>
    public string LibvirtMessage { get; } = message;
    public int ErrorDomain { get; } = errorDomain;
    public string Operation { get; } = operation;

    /// <summary>Reads libvirt's thread-local last error; call it on the thread that made the failing call, right after it.</summary>
    internal static LibvirtException FromLastError(string operation, string? host = null)
    {
        var code = LibvirtNative.virGetLastErrorCode();
        var domain = LibvirtNative.virGetLastErrorDomain();
        var text = Marshal.PtrToStringUTF8(LibvirtNative.virGetLastErrorMessage());
        LibvirtNative.virResetLastError();
        if (string.IsNullOrWhiteSpace(text) || code == Ok) text = $"{operation} failed without an error message from libvirt.";
        return new LibvirtException(code, domain, text!, operation, host);
    }

    private static string CodeName(int code) => code switch
    {
        InternalError => "INTERNAL_ERROR",
        NoSupport => "NO_SUPPORT",
        InvalidArg => "INVALID_ARG",
        OperationFailed => "OPERATION_FAILED",
        SystemError => "SYSTEM_ERROR",
        NoDomain => "NO_DOMAIN",
        NoNetwork => "NO_NETWORK",
        AgentUnresponsive => "AGENT_UNRESPONSIVE",
        AuthFailed => "AUTH_FAILED",
        NoStoragePool => "NO_STORAGE_POOL",
        NoStorageVol => "NO_STORAGE_VOL",
        OperationInvalid => "OPERATION_INVALID",
        Rpc => "RPC",
        TlsError => "GNUTLS_ERROR",
        ConfigUnsupported => "CONFIG_UNSUPPORTED",
        OperationTimeout => "OPERATION_TIMEOUT",
        ArgumentUnsupported => "ARGUMENT_UNSUPPORTED",
        OperationAborted => "OPERATION_ABORTED",
        MigrateUnsafe => "MIGRATE_UNSAFE",
        BlockCopyActive => "BLOCK_COPY_ACTIVE",
        NoDomainMetadata => "NO_DOMAIN_METADATA",
        OperationUnsupported => "OPERATION_UNSUPPORTED",
        _ => code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
