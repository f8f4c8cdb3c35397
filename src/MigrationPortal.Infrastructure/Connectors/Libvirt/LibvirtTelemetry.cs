using System.Diagnostics;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// libvirt is called through P/Invoke, which no instrumentation library sees: each connector call that runs on a
/// libvirt thread is a client span of this source, named for the connector operation, with libvirt's error on failure.
/// </summary>
public static class LibvirtTelemetry
{
    public const string SourceName = "MigrationPortal.Libvirt";

    public static readonly ActivitySource Source = new(SourceName);
}
