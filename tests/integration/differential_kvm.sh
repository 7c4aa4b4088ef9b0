# differential_kvm.sh — oracle 1 under KVM: where `ringmon accel` says KVM
# runs the probe guest, every test kernel under every knob prints natively
# and under the monitor the same transcript, both sides under KVM with the
# CPU model the probe chose.  Elsewhere a skip (counted as one).
. tests/lib.sh
accel=$(accel_field accel)
[ "$accel" = kvm ] || skip "KVM cannot run the monitor here: $(accel_field why)"
DIFF_ACCEL=kvm sh tests/integration/differential.sh
