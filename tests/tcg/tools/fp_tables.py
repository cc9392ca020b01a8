#!/usr/bin/env python3
"""Reference values for fp_single.S / fp_double.S.

Computes IEEE-754 results with exact rational arithmetic (fractions) and
explicit rounding (RNE/RTZ/RDN/RUP/RMM, tininess after rounding), and prints
the FOP*/FCVT*/FCLASS/FCMP table lines used in the FP tests:

    tools/fp_tables.py s      # table body of fp_single.S
    tools/fp_tables.py d      # table body of fp_double.S
    tools/fp_tables.py sd     # the fcvt.s.d lines of fp_double.S
"""
import math, struct, sys
from fractions import Fraction as F
NV,DZ,OF,UF,NX=16,8,4,2,1
RMS={'rne':0,'rtz':1,'rdn':2,'rup':3,'rmm':4}
class Fmt:
    def __init__(s,e,m,sfx):
        s.e,s.m,s.sfx=e,m,sfx; s.bias=(1<<(e-1))-1; s.emin=1-s.bias; s.emax=s.bias
        s.w=1+e+m
        s.qnan=((1<<e)-1)<<m | 1<<(m-1)
        s.inf=((1<<e)-1)<<m
        s.sign=1<<(s.w-1)
        s.maxf=(((1<<e)-2)<<m)|((1<<m)-1)
        s.minn=1<<m
    def val(s,bits):
        sg=-1 if bits>>(s.w-1) else 1
        ex=(bits>>s.m)&((1<<s.e)-1); man=bits&((1<<s.m)-1)
        assert ex!=(1<<s.e)-1
        if ex==0: return sg*F(man)*F(2)**(s.emin-s.m)
        return sg*(F(man)+(1<<s.m))*F(2)**(ex-s.bias-s.m)
    def isnan(s,b): return (b&~s.sign)>s.inf
    def issnan(s,b): return s.isnan(b) and not (b>>(s.m-1))&1
    def isinf(s,b): return (b&~s.sign)==s.inf
    def enc(s,x,rm,zsign=0,inexact_hint=False):
        """round exact rational x; returns bits, flags"""
        if x==0: return (s.sign if zsign else 0), (NX if inexact_hint else 0)
        neg=x<0; a=-x if neg else x
        # fix E exactly
        E=a.numerator.bit_length()-a.denominator.bit_length()
        while F(2)**E>a: E-=1
        while F(2)**(E+1)<=a: E+=1
        Eu=E
        if E<s.emin: E=s.emin
        q=F(2)**(E-s.m); n=a/q
        fl=n.numerator//n.denominator; rem=n-fl
        def rnd(nv,rem):
            if rem==0: return nv
            if rm=='rne': return nv+1 if rem>F(1,2) or (rem==F(1,2) and nv%2) else nv
            if rm=='rmm': return nv+1 if rem>=F(1,2) else nv
            if rm=='rtz': return nv
            if rm=='rdn': return nv+1 if neg else nv
            if rm=='rup': return nv if neg else nv+1
        r=rnd(fl,rem)
        inexact= rem!=0 or inexact_hint
        flags=NX if inexact else 0
        # tininess after rounding: round with unbounded exponent
        if Eu<s.emin and inexact:
            # compute rounding with unbounded exponent
            q2=F(2)**(Eu-s.m); n2=a/q2; f2=n2.numerator//n2.denominator; r2=rnd(f2,n2-f2)
            val_unb=r2*q2
            if val_unb < F(2)**s.emin: flags|=UF
        if r==(1<<(s.m+1)): r//=2; E+=1
        if E>s.emax or (r>=(1<<(s.m+1))):
            flags|=OF|NX
            toinf={'rne':True,'rmm':True,'rtz':False,'rdn':neg,'rup':not neg}[rm]
            b=s.inf if toinf else s.maxf
            return b|(s.sign if neg else 0), flags
        if r<(1<<s.m): bits=r   # subnormal
        else: bits=((E+s.bias)<<s.m)|(r-(1<<s.m))
        return bits|(s.sign if neg else 0), flags
S=Fmt(8,23,'s'); D=Fmt(11,52,'d')
def fbits(f,x):
    if f is S: return struct.unpack('<I',struct.pack('<f',x))[0]
    return struct.unpack('<Q',struct.pack('<d',x))[0]

def main_sd():
    R=['rne','rtz','rdn','rup','rmm']
    def dbits(v): return D.enc(F(v),'rne')[0]
    out=[]
    third=D.enc(F(1,3),'rne')[0]
    for rm in R:
        r,fl=S.enc(D.val(third),rm)
        out.append(f"    FCVTSD {rm}, {hex(third)}, {hex(0xffffffff00000000|r)}, {fl}, \"fcvt.s.d {rm} 1/3\"")
    big=dbits(F(10)**300)
    for rm in ('rne','rtz','rdn'):
        r,fl=S.enc(D.val(big),rm)
        out.append(f"    FCVTSD {rm}, {hex(big)}, {hex(0xffffffff00000000|r)}, {fl}, \"fcvt.s.d {rm} 1e300 overflow\"")
    tiny=dbits(F(1,2**140))
    r,fl=S.enc(D.val(tiny),'rne')
    out.append(f"    FCVTSD rne, {hex(tiny)}, {hex(0xffffffff00000000|r)}, {fl}, \"fcvt.s.d rne 2^-140 exact subnormal\"")
    tiny2=dbits(F(1,2**150)*3)
    r,fl=S.enc(D.val(tiny2),'rne')
    out.append(f"    FCVTSD rne, {hex(tiny2)}, {hex(0xffffffff00000000|r)}, {fl}, \"fcvt.s.d rne 3*2^-150 underflow\"")
    print("\n".join(out))

def main_table(which):
    global f, x, out
    f = S if which == "s" else D
    x=f.sfx
    out=[]
    def emit(s): out.append(s)
    def B(v):
        """value -> bits: Fraction/int/float, or special string"""
        if isinstance(v,str):
            sp={'qnan':f.qnan,'-qnan':f.qnan|f.sign,'snan':f.inf|1,'inf':f.inf,'-inf':f.inf|f.sign,
                '0':0,'-0':f.sign,'max':f.maxf,'-max':f.maxf|f.sign,'minn':f.minn,'mins':1,'-mins':1|f.sign,
                'nanpay':f.qnan|f.sign|0x12345,'snanpay':f.inf|0x54321}
            return sp[v]
        b,fl=f.enc(F(v),'rne'); assert fl==0,(v,fl); return b
    def box(b): return (0xffffffff00000000|b) if f is S else b
    def val(b): return f.val(b)
    def nanres(*bs):
        fl=NV if any(f.issnan(b) for b in bs) else 0
        return f.qnan,fl
    def add(a,b,rm,sub=False):
        if sub: b^=f.sign
        if f.isnan(a) or f.isnan(b): return nanres(a,b^(f.sign if sub else 0))
        if f.isinf(a) and f.isinf(b):
            return (a,0) if a==b else (f.qnan,NV)
        if f.isinf(a): return a,0
        if f.isinf(b): return b,0
        s=val(a)+val(b)
        if s==0:
            if (a&~f.sign)==0 and (b&~f.sign)==0 and (a>>(f.w-1))==(b>>(f.w-1)): return a,0
            return (f.sign if rm=='rdn' else 0),0
        return f.enc(s,rm)
    def mul(a,b,rm):
        if f.isnan(a) or f.isnan(b): return nanres(a,b)
        sg=(a^b)&f.sign
        za=(a&~f.sign)==0; zb=(b&~f.sign)==0
        if (f.isinf(a) and zb) or (f.isinf(b) and za): return f.qnan,NV
        if f.isinf(a) or f.isinf(b): return f.inf|sg,0
        p=val(a)*val(b)
        if p==0: return sg,0
        return f.enc(p,rm)
    def div(a,b,rm):
        if f.isnan(a) or f.isnan(b): return nanres(a,b)
        sg=(a^b)&f.sign
        za=(a&~f.sign)==0; zb=(b&~f.sign)==0
        if (f.isinf(a) and f.isinf(b)) or (za and zb): return f.qnan,NV
        if f.isinf(a): return f.inf|sg,0
        if f.isinf(b): return sg,0
        if zb: return f.inf|sg,DZ
        if za: return sg,0
        return f.enc(val(a)/val(b),rm)
    def sqrt(a,rm):
        if f.isnan(a): return nanres(a)
        if (a&~f.sign)==0: return a,0
        if a>>(f.w-1): return f.qnan,NV
        if f.isinf(a): return a,0
        v=val(a); K=1500
        n=v*F(4)**K; r=math.isqrt(n.numerator//n.denominator)
        approx=F(r,2**K)
        if approx*approx==v: return f.enc(approx,rm)
        return f.enc(approx+F(1,2**(K+1)),rm)   # strictly inside (r, r+1)/2^K
    def fma(a,b,c,rm,negp=False,negc=False):
        za=(a&~f.sign)==0; zb=(b&~f.sign)==0
        if (f.isinf(a) and zb) or (f.isinf(b) and za): return f.qnan,NV
        if f.isnan(a) or f.isnan(b) or f.isnan(c): return nanres(a,b,c)
        psg=((a^b)&f.sign)^(f.sign if negp else 0)
        if negc: c^=f.sign
        if f.isinf(a) or f.isinf(b):
            if f.isinf(c) and (c&f.sign)!=psg: return f.qnan,NV
            return f.inf|psg,0
        if f.isinf(c): return c,0
        p=val(a)*val(b)*(-1 if negp else 1)
        s=p+val(c)
        if s==0:
            pz = p==0; cz=(c&~f.sign)==0
            if pz and cz and psg==(c&f.sign): return c&f.sign,0
            return (f.sign if rm=='rdn' else 0),0
        return f.enc(s,rm)
    def minmax(a,b,ismax):
        fl=NV if f.issnan(a) or f.issnan(b) else 0
        if f.isnan(a) and f.isnan(b): return f.qnan,fl
        if f.isnan(a): return b,fl
        if f.isnan(b): return a,fl
        def key(x):
            if f.isinf(x): return F(10**400)*(-1 if x>>(f.w-1) else 1), 0
            return val(x), (0 if x>>(f.w-1) else 1)
        ka,kb=key(a),key(b)
        if ka[0]==kb[0]:  # equal incl. zeros: -0 < +0
            return (a if (ka[1]>kb[1])==ismax else b) if ka[1]!=kb[1] else a, fl
        return (a if (ka[0]>kb[0])==ismax else b),fl
    
    def H(b): return hex(b)
    def op2(op,rm,a,b,desc):
        A,Bb=B(a),B(b)
        fn={'fadd':lambda:add(A,Bb,rm),'fsub':lambda:add(A,Bb,rm,True),'fmul':lambda:mul(A,Bb,rm),'fdiv':lambda:div(A,Bb,rm)}[op]
        r,fl=fn()
        emit(f"    FOP2 {op}.{x}, {rm}, {H(A)}, {H(Bb)}, {H(box(r))}, {fl}, \"{op}.{x} {rm} {desc}\"")
    def op1(rm,a,desc):
        A=B(a); r,fl=sqrt(A,rm)
        emit(f"    FOP1 fsqrt.{x}, {rm}, {H(A)}, {H(box(r))}, {fl}, \"fsqrt.{x} {rm} {desc}\"")
    def op3(op,rm,a,b,c,desc):
        A,Bb,C=B(a),B(b),B(c)
        negp,negc={'fmadd':(0,0),'fmsub':(0,1),'fnmadd':(1,1),'fnmsub':(1,0)}[op]
        r,fl=fma(A,Bb,C,rm,negp,negc)
        emit(f"    FOP3 {op}.{x}, {rm}, {H(A)}, {H(Bb)}, {H(C)}, {H(box(r))}, {fl}, \"{op}.{x} {rm} {desc}\"")
    def mm(op,a,b,desc):
        A,Bb=B(a),B(b); r,fl=minmax(A,Bb,op=='fmax')
        emit(f"    FOP2N {op}.{x}, {H(A)}, {H(Bb)}, {H(box(r))}, {fl}, \"{op}.{x} {desc}\"")
    
    R=['rne','rtz','rdn','rup','rmm']
    m=f.m
    ulp=F(1,2**m)
    emit("    /* ---- exact arithmetic, no flags ---- */")
    op2('fadd','rne',1,2,"1+2")
    op2('fsub','rne',1,F(1,4),"1-0.25")
    op2('fmul','rne',-3,F(1,2),"-3*0.5")
    op2('fdiv','rne',-9,3,"-9/3")
    emit("    /* ---- 1/3 and -1/3 in every rounding mode (NX) ---- */")
    for rm in R: op2('fdiv',rm,1,3,"1/3")
    for rm in R: op2('fdiv',rm,-1,3,"-1/3")
    emit("    /* ---- exact ties: 1 + ulp/2 and -(1 + ulp/2) ---- */")
    for rm in R: op2('fadd',rm,1,ulp/2,"1+ulp/2")
    for rm in R: op2('fadd',rm,-1,-ulp/2,"-1-ulp/2")
    for rm in ('rne','rmm'): op2('fadd',rm,1+ulp,ulp/2,"1+ulp+ulp/2 (tie to even up)")
    emit("    /* ---- overflow ---- */")
    for rm in R: op2('fmul',rm,'max',2,"max*2")
    for rm in ('rne','rtz','rdn','rup'): op2('fmul',rm,'-max',2,"-max*2")
    op2('fadd','rne','max',F(2)**(f.emax-m-1),"max+ulp/2 ties to even -> inf")
    op2('fadd','rtz','max',F(2)**(f.emax-m-1),"max+ulp/2 rtz")
    emit("    /* ---- special values ---- */")
    op2('fdiv','rne',1,'0',"1/+0")
    op2('fdiv','rne',1,'-0',"1/-0")
    op2('fdiv','rne','0','0',"0/0")
    op2('fdiv','rne','inf','inf',"inf/inf")
    op2('fdiv','rne',5,'inf',"5/inf")
    op2('fsub','rne','inf','inf',"inf-inf")
    op2('fadd','rne','inf','-inf',"inf+-inf")
    op2('fmul','rne','0','inf',"0*inf")
    op2('fmul','rne','-0',3,"-0*3")
    op2('fadd','rne','-0','-0',"-0+-0")
    op2('fadd','rne','-0','0',"-0+0")
    op2('fsub','rne',3,3,"3-3")
    op2('fsub','rdn',3,3,"3-3 is -0 in rdn")
    op2('fadd','rne','inf',1,"inf+1")
    emit("    /* ---- NaN inputs give the canonical NaN; sNaN raises NV ---- */")
    op2('fadd','rne','qnan',1,"qnan+1")
    op2('fadd','rne','nanpay',1,"-qnan(payload)+1")
    op2('fmul','rne',1,'snan',"1*snan")
    op2('fsub','rne','snanpay','qnan',"snan-qnan")
    op2('fdiv','rne','qnan','0',"qnan/0 (no DZ)")
    emit("    /* ---- subnormals and underflow (tininess after rounding) ---- */")
    op2('fmul','rne','minn',F(1,2),"minnormal/2 exact")
    op2('fmul','rne','mins',F(1,2),"minsub/2 -> 0")
    op2('fmul','rup','mins',F(1,2),"minsub/2 rup")
    op2('fmul','rdn','-mins',F(1,2),"-minsub/2 rdn")
    op2('fmul','rne','minn',F(3,4),"minnormal*0.75 exact subnormal")
    op2('fmul','rne','minn',1-F(1,2**(m+1)),"minnormal*(1-ulp/2): UF, rounds to minnormal")
    op2('fsub','rne','minn','mins',"minnormal-minsub exact")
    emit("    /* ---- fsqrt ---- */")
    op1('rne',4,"4")
    op1('rne',F(9,4),"2.25")
    for rm in R: op1(rm,2,"2")
    op1('rne',-1,"-1")
    op1('rne','-0',"-0")
    op1('rne','inf',"inf")
    op1('rne','-inf',"-inf")
    op1('rne','snan',"snan")
    op1('rne','mins',"minsub")
    emit("    /* ---- fused multiply-add: single rounding ---- */")
    op3('fmadd','rne',2,3,1,"2*3+1")
    op3('fmsub','rne',2,3,1,"2*3-1")
    op3('fnmadd','rne',2,3,1,"-(2*3)-1")
    op3('fnmsub','rne',2,3,1,"-(2*3)+1")
    op3('fmadd','rne',1+ulp,1-ulp,-1,"(1+u)(1-u)-1 = -u^2 exactly")
    op3('fnmsub','rne',1+ulp,1-ulp,1,"-(1+u)(1-u)+1 = u^2")
    for rm in R: op3('fmadd',rm,1+ulp,1+ulp,'0',"(1+u)^2")
    for rm in R: op3('fnmadd',rm,1+ulp,1+ulp,'-0',"-(1+u)^2")
    op3('fmadd','rne','inf','0','qnan',"inf*0+qnan: NV")
    op3('fmadd','rne','inf',1,'-inf',"inf*1-inf: NV")
    op3('fmadd','rne','qnan',1,2,"qnan*1+2")
    op3('fmadd','rne',1,2,'snan',"1*2+snan")
    op3('fmadd','rne',2,'-0','0',"2*-0+0")
    op3('fmadd','rne',2,'-0','-0',"2*-0+-0")
    op3('fmsub','rdn',2,3,6,"2*3-6 rdn")
    op3('fmadd','rne','max',2,'-max',"max*2-max no overflow")
    emit("    /* ---- fmin / fmax ---- */")
    mm('fmin','-0','0',"-0,+0")
    mm('fmin','0','-0',"+0,-0")
    mm('fmax','-0','0',"-0,+0")
    mm('fmax','0','-0',"+0,-0")
    mm('fmin',3,-3,"3,-3")
    mm('fmax',3,-3,"3,-3")
    mm('fmin','-inf',5,"-inf,5")
    mm('fmax','qnan',5,"qnan,5")
    mm('fmin',5,'qnan',"5,qnan")
    mm('fmin','qnan','nanpay',"qnan,qnan")
    mm('fmax','snan',1,"snan,1")
    mm('fmin',1,'snan',"1,snan")
    mm('fmax','snan','qnan',"snan,qnan")
    
    def to_int(b,rm,signed,w):
        lo,hi=(-(1<<(w-1)),(1<<(w-1))-1) if signed else (0,(1<<w)-1)
        if f.isnan(b): return hi,NV
        if f.isinf(b): return (lo if b>>(f.w-1) else hi),NV
        v=val(b); fl=math.floor(v); rem=v-fl
        if rem==0: r=fl
        elif rm=='rne': r=fl+1 if rem>F(1,2) or (rem==F(1,2) and fl%2) else fl
        elif rm=='rmm': r=fl+1 if (rem>=F(1,2) if v>0 else rem>F(1,2)) else fl
        elif rm=='rtz': r=fl if v>0 else (fl+1)
        elif rm=='rdn': r=fl
        elif rm=='rup': r=fl+1
        if r<lo: return lo,NV
        if r>hi: return hi,NV
        return r,(NX if rem else 0)
    def cvti(op,rm,a,desc):
        A=B(a); signed=op in('w','l'); w=32 if op in('w','wu') else 64
        r,fl=to_int(A,rm,signed,w)
        r&=(1<<w)-1
        if w==32 and r>>31: r|=0xffffffff00000000
        emit(f"    FCVTI fcvt.{op}.{x}, {rm}, {H(A)}, {H(r)}, {fl}, \"fcvt.{op}.{x} {rm} {desc}\"")
    def cvtf(op,rm,iv,desc):
        w=32 if op in('w','wu') else 64
        v=iv
        if op=='w': v=((iv&0xffffffff)^0x80000000)-0x80000000
        if op=='wu': v=iv&0xffffffff
        if op=='l': v=((iv&M64)^(1<<63))-(1<<63)
        if op=='lu': v=iv&M64
        r,fl=f.enc(F(v),rm)
        if f is D and op in ('w','wu'):   # always exact: no rm operand
            emit(f"    FCVTFE fcvt.{x}.{op}, {H(iv&M64)}, {H(box(r))}, {fl}, \"fcvt.{x}.{op} {desc}\"")
        else:
            emit(f"    FCVTF fcvt.{x}.{op}, {rm}, {H(iv&M64)}, {H(box(r))}, {fl}, \"fcvt.{x}.{op} {rm} {desc}\"")
    M64=(1<<64)-1
    emit("    /* ---- float -> integer: rounding, NX, saturation with NV ---- */")
    for rm in R: cvti('w',rm,F(5,2),"2.5")
    for rm in R: cvti('w',rm,F(-5,2),"-2.5")
    for rm in R: cvti('l',rm,F(-7,4),"-1.75")
    cvti('w','rtz',F(3,2),"1.5")
    cvti('w','rne',F(1,2),"0.5")
    cvti('w','rmm',F(-1,2),"-0.5")
    cvti('w','rne',-3,"-3 exact")
    cvti('w','rtz',2**31,"2^31 saturates")
    cvti('w','rtz',-(2**31),"-2^31 exact")
    cvti('w','rtz',-(2**32),"-2^32 saturates")
    cvti('w','rne','qnan',"qnan")
    cvti('w','rne','nanpay',"-qnan")
    cvti('w','rne','inf',"inf")
    cvti('w','rne','-inf',"-inf")
    cvti('wu','rtz',3e9 if f is D else 3000000000 - 3000000000 % 256,"3e9 sign-extended")
    cvti('wu','rtz',-1,"-1 saturates to 0")
    cvti('wu','rtz',F(-1,2),"-0.5 rounds to 0, NX only")
    cvti('wu','rdn',F(-1,2),"-0.5 rdn is -1: NV")
    cvti('wu','rne',2**32,"2^32 saturates")
    cvti('wu','rne','qnan',"qnan")
    cvti('wu','rne','-inf',"-inf")
    cvti('l','rtz',2**63,"2^63 saturates")
    cvti('l','rtz',-(2**63),"-2^63 exact")
    cvti('l','rne','snan',"snan")
    cvti('l','rne','-inf',"-inf")
    cvti('lu','rtz',2**63,"2^63")
    cvti('lu','rtz',2**64,"2^64 saturates")
    cvti('lu','rtz',-1,"-1 saturates")
    cvti('lu','rne','qnan',"qnan")
    cvti('lu','rup',F(1,4),"0.25 rup")
    emit("    /* ---- integer -> float ---- */")
    cvtf('w','rne',-5,"-5")
    cvtf('wu','rne',0xffffffff,"0xffffffff")
    cvtf('w','rne',0x7fffffff,"INT32_MAX")
    cvtf('w','rtz',0x7fffffff,"INT32_MAX rtz")
    cvtf('w','rne',0xffffffff00000001,"upper bits ignored")
    cvtf('wu','rne',0x1fffffffe,"upper bits ignored")
    for rm in R: cvtf('l',rm,-(2**62+2**40+1),"-(2^62+2^40+1)")
    cvtf('lu','rne',M64,"UINT64_MAX")
    cvtf('lu','rtz',M64,"UINT64_MAX rtz")
    cvtf('l','rne',0,"0")
    
    emit("    /* ---- fclass ---- */")
    for v,c in (('-inf',0),(-1,1),('-mins',2),('-0',3),('0',4),('mins',5),(1,6),('inf',7),('snan',8),('qnan',9),('nanpay',9)):
        emit(f"    FCLASS fclass.{x}, {H(B(v))}, {1<<c}, \"fclass.{x} {v}\"")
    emit("    /* ---- compares: feq is quiet, flt/fle signal on any NaN ---- */")
    def cmp(op,a,b,desc):
        A,Bb=B(a),B(b)
        nan=f.isnan(A) or f.isnan(Bb)
        if nan:
            r=0; fl=NV if (op!='feq' or f.issnan(A) or f.issnan(Bb)) else 0
        else:
            va=val(A) if not f.isinf(A) else (10**400 if not A>>(f.w-1) else -10**400)
            vb=val(Bb) if not f.isinf(Bb) else (10**400 if not Bb>>(f.w-1) else -10**400)
            r=int({'feq':va==vb,'flt':va<vb,'fle':va<=vb}[op]); fl=0
        emit(f"    FCMP {op}.{x}, {H(A)}, {H(Bb)}, {r}, {fl}, \"{op}.{x} {desc}\"")
    cmp('feq',1,1,"1,1"); cmp('feq','-0','0',"-0,+0"); cmp('feq',1,2,"1,2")
    cmp('feq','qnan','qnan',"qnan,qnan"); cmp('feq','snan',1,"snan,1")
    cmp('flt',1,2,"1,2"); cmp('flt',2,1,"2,1"); cmp('flt','-0','0',"-0,+0"); cmp('flt','-inf','-max',"-inf,-max")
    cmp('flt','qnan',1,"qnan,1")
    cmp('fle','-0','0',"-0,+0"); cmp('fle',2,2,"2,2"); cmp('fle',3,2,"3,2"); cmp('fle',1,'qnan',"1,qnan")
    emit("    /* ---- sign injection: bit operations, NaNs are not canonicalized ---- */")
    def sgn(op,a,b,desc):
        A,Bb=B(a),B(b); sa=A&~f.sign; sb=Bb&f.sign
        r={'fsgnj':sa|sb,'fsgnjn':sa|(sb^f.sign),'fsgnjx':A^sb}[op]
        emit(f"    FOP2N {op}.{x}, {H(A)}, {H(Bb)}, {H(box(r))}, 0, \"{op}.{x} {desc}\"")
    sgn('fsgnj',1,-2,"1,-2"); sgn('fsgnj',-1,2,"-1,2"); sgn('fsgnjn',1,-2,"1,-2 (neg)"); sgn('fsgnjn',-1,-2,"-1,-2")
    sgn('fsgnjx',-1,-2,"-1,-2"); sgn('fsgnjx',-1,2,"-1,2 (abs)"); sgn('fsgnj','snanpay','-0',"snan payload kept")
    sgn('fsgnjx','nanpay',-1,"nan payload kept")
    emit("    /* ---- dynamic rounding mode from frm ---- */")
    for i,rm in enumerate(R):
        A,Bb=B(1),B(3); r,fl=div(A,Bb,rm)
        emit(f"    csrwi frm, {i}")
        emit(f"    FOP2 fdiv.{x}, dyn, {H(A)}, {H(Bb)}, {H(box(r))}, {fl}, \"fdiv.{x} dyn frm={rm} 1/3\"")
        A=B(F(-5,2)); r,fl=to_int(A,rm,True,32); r&=0xffffffff
        if r>>31: r|=0xffffffff00000000
        emit(f"    FCVTI fcvt.w.{x}, dyn, {H(A)}, {H(r)}, {fl}, \"fcvt.w.{x} dyn frm={rm} -2.5\"")
    emit("    csrwi frm, 0")
    print("\n".join(out))

if __name__ == '__main__':
    if sys.argv[1] == 'sd':
        main_sd()
    else:
        main_table(sys.argv[1])
