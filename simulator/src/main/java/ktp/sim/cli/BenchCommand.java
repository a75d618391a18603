package ktp.sim.cli;

import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "placeholder")
final class BenchCommand implements Runnable {
    @Override
    public void run() { }
}
