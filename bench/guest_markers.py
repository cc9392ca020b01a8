"""The console markers the benchmark guests print (run-disk.py, run-net.py).

A marker is a line of its own, "T-KIND name" (the kernel echoes its command
line, which holds the same text mid-line), and matches only once the line is
whole: QEMU writes its console a byte at a time, and a half-written
"T-END s" must not match.
"""
import re


def markers(*kinds):
    """A pattern for "T-KIND name" lines of the given kinds: groups kind, name."""
    return re.compile(rb"^T-(" + b"|".join(k.encode() for k in kinds) + rb") (\w+)\r?\n", re.M)


# "T-IRQ name N": the virtio interrupts the guest took during workload `name`.
IRQS = re.compile(rb"^T-IRQ (\w+) (\d+)\r?\n", re.M)
# Guest shell function: the interrupts every virtio driver took so far (one CPU: column 2).
IRQ_FN = "irq(){ awk '/virtio/{s+=$2}END{print s+0}' /proc/interrupts; }; "


def counted(name, cmd):
    """Guest shell: `cmd`, then a T-IRQ line with the virtio interrupts it took (needs IRQ_FN)."""
    return f"i0=$(irq); {cmd}; i1=$(irq); echo T-IRQ {name} $((i1 - i0))"
