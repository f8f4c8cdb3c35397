using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Web.Components.Shared;

/// <summary>A kind of move in words for the lists ("Compute and storage", not the enum's "ComputeAndStorage").</summary>
public static class KindNames
{
    public static string Words(MigrationKind kind) => kind switch
    {
        MigrationKind.Compute => "Compute",
        MigrationKind.Storage => "Storage",
        MigrationKind.ComputeAndStorage => "Compute and storage",
        MigrationKind.CrossPlatform => "VMware → KVM conversion",
        _ => kind.ToString(),
    };
}
