package dev.sglj.cli;

import picocli.CommandLine;

/** Reports the version from the jar manifest (the Maven project version). */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"sglj " + (v == null ? "dev" : v)};
    }
}
