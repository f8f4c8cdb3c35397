using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Scheduling;
using static MigrationPortal.Domain.Tests.Requests.RequestFactory;

namespace MigrationPortal.Domain.Tests.Requests;

/// <summary>
/// A cross-platform request carries its conversion settings and nothing else does; its target is a host of another
/// connection, so windows and blackouts of that connection or host cover it too.
/// </summary>
public class ConversionRuleTests
{
    private static readonly ConversionSettings Settings = new(Guid.NewGuid(), Guid.NewGuid(), true, SourceAfterConversion.KeepOffAndAnnotate,
        [new NetworkMapping("prod", NetworkTargetKind.Bridge, "br0")], [new StorageMapping("ds-1", "images", ConvertedDiskFormat.Qcow2)]);

    private static MigrationRequest Request(MigrationKind kind, ConversionSettings? conversion) => new(Guid.NewGuid(), "vm-1", Guid.NewGuid(), null, null, "esx-1", "ds-1",
        kind, false, new MigrationTarget(Guid.NewGuid(), "qemu+tls://kvm-a/system", "kvm-a", null, null, null), ScheduleWish.AsSoonAsApproved,
        "Leaving VMware", new MigrationOptions(), Requester, Now, conversion: conversion);

    [Fact]
    public void Constructor_KeepsTheSettings_WhenACrossPlatformMoveHasThem_WithNoTargetDatastore()
    {
        Assert.Same(Settings, Request(MigrationKind.CrossPlatform, Settings).Conversion);
    }

    [Fact]
    public void Constructor_Throws_WhenACrossPlatformMoveHasNoSettings_OrAnotherKindHasSome()
    {
        Assert.Contains("mappings", Assert.Throws<DomainException>(() => Request(MigrationKind.CrossPlatform, null)).Message);
        Assert.Contains("Only a cross-platform move", Assert.Throws<DomainException>(() => Request(MigrationKind.Compute, Settings)).Message);
    }

    private static MaintenanceWindow Window(WindowScope scope)
    {
        var window = new MaintenanceWindow();
        window.Define("w", RecurrenceKind.OneOff, null, "UTC", new DateTime(2026, 12, 1, 22, 0, 0), TimeSpan.FromHours(2), scope, true, Requester, Now);
        return window;
    }

    [Fact]
    public void Covers_IncludesTheDestinationConnectionAndHost_WhenTheTargetIsOnAnotherConnection()
    {
        var vcenter = Guid.NewGuid();
        var kvm = Guid.NewGuid();
        var conversion = new ScopePlacement(vcenter, "east", "host-1", "kvm-a", null, kvm);
        var within = new ScopePlacement(vcenter, "east", "host-1", "kvm-a", null);

        Assert.True(Window(new WindowScope(WindowScopeKind.Connection, kvm, kvm.ToString(), "kvm")).Covers(conversion));
        Assert.True(Window(new WindowScope(WindowScopeKind.Host, kvm, "kvm-a", "kvm-a")).Covers(conversion));
        Assert.True(Window(new WindowScope(WindowScopeKind.Host, vcenter, "host-1", "esx-1")).Covers(conversion));
        // The same host ID on the source connection is another host: it does not cover the conversion's target.
        Assert.False(Window(new WindowScope(WindowScopeKind.Host, vcenter, "kvm-a", "kvm-a?")).Covers(conversion));
        Assert.False(Window(new WindowScope(WindowScopeKind.Connection, kvm, kvm.ToString(), "kvm")).Covers(within));
    }
}
